/// A `HOST:PORT` pair as typed on a command line (`127.0.0.1:7443`, `[::1]:7443`, `coord.example:7443`).
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// - Throws: ``TransportError/Code/invalidConfiguration`` naming the text.
    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":") else {
            throw TransportError(.invalidConfiguration, "\"\(text)\" is not HOST:PORT (no ':')")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw TransportError(.invalidConfiguration, "\"\(text)\" has no host before ':'") }
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw TransportError(.invalidConfiguration, "\"\(text)\": port \"\(text[text.index(after: colon)...])\" is not a number in 0...65535")
        }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
