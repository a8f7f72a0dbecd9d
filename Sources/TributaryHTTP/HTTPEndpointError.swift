/// Why an HTTP endpoint did not start: the message names the setting and its value.
public struct HTTPEndpointError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
