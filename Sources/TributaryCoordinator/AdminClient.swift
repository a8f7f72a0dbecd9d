#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TributaryTransport

/// Calls the admin endpoint (`tributary round start|status`): one HTTP/1.1 request,
/// blocking, with a deadline, answered with the status code and the JSON body.
public enum AdminClient {
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var body: String
    }

    /// - Parameter token: sent as `Authorization: Bearer <token>` (the content of `admin.token_file`).
    public static func request(_ method: String, _ path: String, at endpoint: Endpoint, token: String? = nil,
                               timeout: Duration = .seconds(10)) throws -> Answer {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, String(endpoint.port), &hints, &found) == 0, let info = found else {
            throw CoordinatorError(.badRequest, "admin address \(endpoint): cannot resolve \(endpoint.host)")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { throw CoordinatorError(.badRequest, "admin address \(endpoint): socket failed (errno \(errno))") }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            throw CoordinatorError(.badRequest, "admin address \(endpoint): cannot connect (\(String(cString: strerror(errno)))); is `tributary coordinator serve` running with admin.listen \(endpoint)?")
        }
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let request = "\(method) \(path) HTTP/1.1\r\nHost: \(endpoint)\r\n\(authorization)Content-Length: 0\r\nConnection: close\r\n\r\n"
        let sent = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, 0) }
        guard sent == request.utf8.count else { throw CoordinatorError(.badRequest, "admin address \(endpoint): send failed (errno \(errno))") }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 { throw CoordinatorError(.badRequest, "admin address \(endpoint): no answer within \(timeout)") }
            if count == 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n").first, let code = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw CoordinatorError(.badRequest, "admin address \(endpoint): not an HTTP answer: \(text.prefix(80))")
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Answer(status: code, body: body)
    }
}
