import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TributaryTransport

/// Calls the coordinator's admin endpoint (`tributary round start|status`, the benchmarks): one
/// HTTP/1.1 request on AsyncHTTPClient's shared client, with a deadline, answered with the status
/// code and the body.
public enum AdminClient {
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var body: String
    }

    /// Why a request got no HTTP answer: names the address and what happened.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Largest answer read (the status and metrics are far smaller).
    static let maximumAnswerBytes = 16 << 20

    /// - Parameter token: sent as `Authorization: Bearer <token>` (the content of `admin.token_file`).
    public static func request(_ method: String, _ path: String, at endpoint: Endpoint, token: String? = nil,
                               timeout: Duration = .seconds(10)) async throws -> Answer {
        let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        var request = HTTPClientRequest(url: "http://\(host):\(endpoint.port)\(path)")
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout.components.seconds))
            let body = try await response.body.collect(upTo: maximumAnswerBytes)
            return Answer(status: Int(response.status.code), body: String(buffer: body))
        } catch {
            throw Failure(description: "admin address \(endpoint): \(method) \(path) got no answer (\(error)); is `tributary coordinator serve` running with admin.listen \(endpoint)?")
        }
    }
}
