/// What an endpoint's routes answer, apart from HTTP: a status and a JSON body.
public struct JSONResponse: Sendable, Equatable {
    public var status: Int
    public var body: String

    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}
