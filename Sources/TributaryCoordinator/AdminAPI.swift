import Foundation
import TributaryHTTP
import TributaryRegistry

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
/// - `GET /v1/rollout`: → 200 `{"rollout": …}` (the status's rollout, or null).
/// - `POST /v1/rollout/promote`, `POST /v1/rollout/abort`: the operator settles the rollout in
///   flight → 200 with the stored decision, or 409 when none is in flight.
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
    let settleRollout: @Sendable (Bool) async throws -> VersionDecision
    let token: AdminToken?

    init(startRound: @escaping @Sendable () async throws -> UInt64, status: @escaping @Sendable () async -> CoordinatorStatus,
         announceTask: @escaping @Sendable () async throws -> Void = {},
         versions: @escaping @Sendable () async throws -> VersionListing = { VersionListing([]) },
         settleRollout: @escaping @Sendable (Bool) async throws -> VersionDecision = { _ in
             throw CoordinatorError(.noRollout, "this endpoint has no rollouts")
         },
         token: AdminToken? = nil) {
        self.settleRollout = settleRollout
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
            return Response(status: 200, body: Self.json(await status()))
        case ("GET", "/v1/rollout"):
            return Response(status: 200, body: Self.json(["rollout": await status().rollout]))
        case ("POST", "/v1/rollout/promote"), ("POST", "/v1/rollout/abort"):
            do {
                let decision = try await settleRollout(path.hasSuffix("promote"))
                return Response(status: 200, body: Self.json(decision))
            } catch let error as CoordinatorError {
                return Self.error(error.code == .noRollout ? 409 : 503, error.reason)
            } catch {
                return Self.error(500, "\(error)")
            }
        case ("GET", "/v1/versions"):
            do {
                return Response(status: 200, body: Self.json(try await versions()))
            } catch {
                return Self.error(503, "the registry's versions cannot be read: \(error)")
            }
        case (_, "/v1/rounds"), (_, "/v1/status"), (_, "/v1/tasks"), (_, "/v1/rollout"), (_, "/v1/rollout/promote"), (_, "/v1/rollout/abort"),
             (_, "/v1/versions"), (_, "/"), (_, "/status"):
            let allowed = ["/v1/rounds", "/v1/tasks", "/v1/rollout/promote", "/v1/rollout/abort"].contains(path) ? "POST" : "GET"
            return Self.error(405, "method \(method) is not allowed on \(path); use \(allowed)")
        default:
            return Self.error(404, "no such endpoint: \(method) \(path) (known: POST /v1/rounds, POST /v1/tasks, GET /v1/status, GET /v1/rollout, POST /v1/rollout/promote, POST /v1/rollout/abort, GET /v1/versions, GET /)")
        }
    }

    /// snake_case keys, sorted, as every admin answer.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func error(_ status: Int, _ message: String) -> Response {
        .error(status, message)
    }
}
