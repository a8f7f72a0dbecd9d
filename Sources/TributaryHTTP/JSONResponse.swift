import Foundation

/// What an endpoint's routes answer, apart from HTTP: a status and a body (JSON unless
/// `contentType` says otherwise, as for `GET /metrics`).
public struct JSONResponse: Sendable, Equatable {
    public var status: Int
    public var body: String
    public var contentType: String

    public init(status: Int, body: String, contentType: String = "application/json") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    /// An error answer: `{"error": message, "code": code}`; `code` defaults to the status's
    /// name (``errorCode(status:)``) so a client can branch on it without parsing the message.
    public static func error(_ status: Int, _ message: String, code: String? = nil) -> JSONResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let fields = ["error": message, "code": code ?? errorCode(status: status)]
        let encoded = (try? encoder.encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return JSONResponse(status: status, body: encoded)
    }

    /// The stable code of an error status, in snake case (`not_found`, `method_not_allowed`, …).
    public static func errorCode(status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 500: "internal_error"
        case 503: "unavailable"
        default: "http_\(status)"
        }
    }
}
