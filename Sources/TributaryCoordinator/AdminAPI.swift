import Foundation
import TributaryHTTP

/// The admin endpoint's routes, apart from HTTP: a request in, a JSON response out.
///
/// - `POST /v1/rounds`: start a round now → 201 `{"round": ID}`, or 409 with the machine's reason
///   (a round is running, too few eligible clients).
/// - `POST /v1/tasks`: the operator announces a new task (the fleet's data changed) → 202; the
///   next round consolidates the global EWC state before its offer.
/// - `GET /v1/status`: → 200 ``CoordinatorStatus``.
/// - `GET /v1/versions`: → 200 ``VersionListing`` (the registry's versions, newest last).
/// - `GET /` and `GET /status`: → 200 the status page (``StatusPage``), HTML that holds no data
///   and polls the two above; served without the token (a browser cannot send one on navigation),
///   the page sends the token it is given in its URL fragment (`/#token=…`) with each poll.
/// - `GET /metrics` (answered by the shell, ``EndpointServer``): the Prometheus text.
/// Anything else: 404 or 405 naming the method and path. Errors are `{"error": message, "code":
/// code}` (``JSONResponse/error(_:_:code:)``). With a token (`admin.token_file`), every request
/// without `Authorization: Bearer <token>` is answered 401 first.
public struct AdminAPI: Sendable {
    public typealias Response = JSONResponse

    let startRound: @Sendable () async throws -> UInt64
    let status: @Sendable () async -> CoordinatorStatus
    let announceTask: @Sendable () async throws -> Void
    let versions: @Sendable () async throws -> VersionListing
    let token: AdminToken?

    init(startRound: @escaping @Sendable () async throws -> UInt64, status: @escaping @Sendable () async -> CoordinatorStatus,
         announceTask: @escaping @Sendable () async throws -> Void = {},
         versions: @escaping @Sendable () async throws -> VersionListing = { VersionListing([]) }, token: AdminToken? = nil) {
        self.startRound = startRound
        self.status = status
        self.announceTask = announceTask
        self.versions = versions
        self.token = token
    }

    /// - Parameter authorization: the request's `Authorization` header, if any.
    public func handle(method: String, path: String, authorization: String? = nil) async -> Response {
        if method == "GET", StatusPage.paths.contains(path) { return StatusPage.response }
        if let token, !token.accepts(authorization: authorization) {
            let presented = authorization == nil ? "no Authorization header" : "an Authorization header that is not the configured bearer token"
            return Self.error(401, "\(method) \(path) sent \(presented); send Authorization: Bearer <the token in admin.token_file>")
        }
        switch (method, path) {
        case ("POST", "/v1/rounds"):
            do {
                return Response(status: 201, body: "{\"round\":\(try await startRound())}")
            } catch let error as CoordinatorError {
                return Self.error(error.code == .roundRefused ? 409 : 503, error.reason)
            } catch {
                return Self.error(500, "\(error)")
            }
        case ("POST", "/v1/tasks"):
            do {
                try await announceTask()
                return Response(status: 202, body: "{\"consolidate\":\"next round\"}")
            } catch let error as CoordinatorError {
                return Self.error(503, error.reason)
            } catch {
                return Self.error(500, "\(error)")
            }
        case ("GET", "/v1/status"):
            return Self.document(await status())
        case ("GET", "/v1/versions"):
            do {
                return Self.document(try await versions())
            } catch {
                return Self.error(503, "the registry's versions cannot be read: \(error)")
            }
        case (_, "/v1/rounds"), (_, "/v1/status"), (_, "/v1/tasks"), (_, "/v1/versions"), (_, "/"), (_, "/status"):
            let allowed = ["/v1/rounds", "/v1/tasks"].contains(path) ? "POST" : "GET"
            return Self.error(405, "method \(method) is not allowed on \(path); use \(allowed)")
        default:
            return Self.error(404, "no such endpoint: \(method) \(path) (known: POST /v1/rounds, POST /v1/tasks, GET /v1/status, GET /v1/versions, GET /)")
        }
    }

    static func error(_ status: Int, _ message: String) -> Response {
        .error(status, message)
    }

    /// A 200 answer with `value` as JSON: snake-case keys, sorted.
    static func document(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Response(status: 200, body: String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            return Self.error(500, "the answer could not be encoded as JSON: \(error)")
        }
    }
}
