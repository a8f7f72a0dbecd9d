/// One request as the pure APIs see it: method, path (query dropped), the headers they read, body.
public struct HTTPRequestParts: Sendable {
    public var method: String
    public var path: String
    public var authorization: String?
    public var contentType: String?
    public var body: [UInt8]

    public init(method: String, path: String, authorization: String? = nil, contentType: String? = nil, body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.authorization = authorization
        self.contentType = contentType
        self.body = body
    }
}
