import Foundation
import Logging
import Testing
import TributaryCLI
@testable import TributaryCoordinator
import TributaryTransport

/// The admin endpoint over real HTTP on loopback, and what the coordinator says and refuses at
/// start: the address really bound, a bearer token when configured, a deny list that must load.
@Suite("Admin endpoint and start-up checks", .serialized)
struct AdminEndpointTests {
    static let token = "c0ffee-tributary-admin-token-0123456789"

    static func writeToken(_ text: String, in directory: String, mode: Int = 0o600) throws -> String {
        let path = directory + "/admin-token"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    /// The CLI's client (AsyncHTTPClient), with a generous deadline as a hang guard.
    static func request(_ method: String, _ path: String, at endpoint: Endpoint, token: String? = nil) async throws -> AdminClient.Answer {
        try await AdminClient.request(method, path, at: endpoint, token: token, timeout: .seconds(60))
    }

    @Test("with a token, a request without it or with a wrong one is answered 401; with it, 200")
    func bearerToken() async throws {
        let api = AdminAPI(startRound: { 7 }, status: { .unavailable }, token: AdminToken(Self.token))
        let server = try await AdminHTTPServer.start(api: api, host: "127.0.0.1", port: 0)
        let endpoint = Endpoint(host: "127.0.0.1", port: server.port)
        let missing = try await Self.request("POST", "/v1/rounds", at: endpoint)
        #expect(missing.status == 401)
        #expect(missing.body.contains("POST /v1/rounds sent no Authorization header"), "\(missing.body)")
        for wrong in ["wrong", Self.token + "x", String(Self.token.dropLast()), Self.token + String(repeating: "x", count: 256)] {
            let answer = try await Self.request("POST", "/v1/rounds", at: endpoint, token: wrong)
            #expect(answer.status == 401, "\(wrong)")
            #expect(!answer.body.contains(wrong), "the presented token is never echoed")
        }
        let started = try await Self.request("POST", "/v1/rounds", at: endpoint, token: Self.token)
        #expect(started.status == 201 && started.body == "{\"round\":7}")
        let status = try await Self.request("GET", "/v1/status", at: endpoint, token: Self.token)
        #expect(status.status == 200)
        // GET /metrics sits behind the same token (this test process bootstraps no backend: 404).
        let metrics = try await Self.request("GET", "/metrics", at: endpoint)
        #expect(metrics.status == 401 && metrics.body.contains(#""code":"unauthorized""#), "\(metrics.body)")
        #expect(try await Self.request("GET", "/metrics", at: endpoint, token: Self.token).status == 404)
        let refused = try await Self.request("GET", "/v1/rounds", at: endpoint, token: Self.token)
        #expect(refused.status == 405 && refused.body.contains(#""code":"method_not_allowed""#), "\(refused.body)")
        await server.close()
    }

    @Test("the token file must be one word of 16 characters or more, readable by its owner only")
    func tokenFile() throws {
        let world = try TestWorld(clients: 1)
        defer { world.remove() }
        let good = try Self.writeToken(Self.token + "\n", in: world.directory)
        #expect(try AdminToken.read(path: good).accepts(authorization: "Bearer " + Self.token))
        let open = try Self.writeToken(Self.token, in: world.directory, mode: 0o644)
        #expect(throws: CoordinatorError.self) { try AdminToken.read(path: open) }
        do { _ = try AdminToken.read(path: open) } catch {
            #expect("\(error)".contains("\(open) has mode 644; it must be readable by its owner only (chmod 600)"), "\(error)")
        }
        let short = try Self.writeToken("short", in: world.directory)
        do { _ = try AdminToken.read(path: short); Issue.record("a 5-character token was accepted") } catch {
            #expect("\(error)".contains("holds a token of 5 characters"), "\(error)")
        }
        do { _ = try AdminToken.read(path: world.directory + "/none"); Issue.record("a missing token file was accepted") } catch {
            #expect("\(error)".contains("admin.token_file \(world.directory)/none cannot be read"), "\(error)")
        }
    }

    /// A coordinator over real mutual TLS with its admin endpoint at `admin` (set after
    /// construction, so `run()` is what checks it).
    static func configuration(in world: TestWorld, admin: Endpoint) throws -> CoordinatorConfiguration {
        var configuration = try world.configuration(target: 1, tls: try TestFleet(directory: world.directory).tls)
        configuration.admin = admin
        return configuration
    }

    /// Runs a coordinator expecting it to refuse the start; returns the error. One that starts
    /// instead is shut down once it says it listens, and the test fails.
    func refusedStart(_ configuration: CoordinatorConfiguration) async -> (any Error)? {
        let coordinator = Coordinator(configuration: configuration, logger: Logger(label: "coordinator"))
        let service = Task { try await coordinator.run() }
        for await event in coordinator.events {
            if case .listening = event {
                Issue.record("the coordinator started: \(event.line)")
                await coordinator.shutdown()
            }
        }
        do {
            try await service.value
            return nil
        } catch {
            return error
        }
    }

    /// Runs a coordinator until it says it listens; returns its start-up line, then stops it.
    func startUpLine(_ configuration: CoordinatorConfiguration, while running: @Sendable (Coordinator) async throws -> Void = { _ in }) async throws -> String? {
        let coordinator = Coordinator(configuration: configuration, logger: Logger(label: "coordinator"))
        let service = Task { try await coordinator.run() }
        var line: String?
        for await event in coordinator.events {
            if case .listening = event { line = event.line; break }
        }
        try await running(coordinator)
        await coordinator.shutdown()
        try await service.value
        return line
    }

    @Test("the start-up line names the address and the port really bound, not 127.0.0.1 and not port 0")
    func startUpLineNamesTheBoundAddress() async throws {
        let world = try TestWorld(clients: 1)
        defer { world.remove() }
        let configuration = try Self.configuration(in: world, admin: Endpoint(host: "127.0.0.2", port: 0))
        let ports = PortBox()
        let started = try await startUpLine(configuration) { ports.set(await $0.port, await $0.adminPort) }
        let line = try #require(started)
        let (port, adminPort) = ports.get()
        #expect(adminPort != nil && adminPort != 0)
        #expect(line == "coordinator listening on 127.0.0.1:\(port ?? -1) (TLS 1.3, live version 1), admin on 127.0.0.2:\(adminPort ?? -1)")
    }

    @Test("an admin endpoint on every interface starts only with a token, and then requires it")
    func everyInterfaceNeedsAToken() async throws {
        let world = try TestWorld(clients: 1)
        defer { world.remove() }
        var configuration = try Self.configuration(in: world, admin: Endpoint(host: "0.0.0.0", port: 0))
        // Set after construction, the check still holds: run() validates again.
        let refusal = await refusedStart(configuration)
        #expect("\(refusal.map { "\($0)" } ?? "no error")".contains("admin.listen is 0.0.0.0:0; the admin endpoint can start rounds"))

        configuration.adminTokenFile = try Self.writeToken(Self.token, in: world.directory)
        let answers = PortBox()
        let started = try await startUpLine(configuration) { coordinator in
            let endpoint = Endpoint(host: "127.0.0.1", port: await coordinator.adminPort ?? 0)
            let anonymous = try await Self.request("GET", "/v1/status", at: endpoint)
            let authenticated = try await Self.request("GET", "/v1/status", at: endpoint, token: Self.token)
            answers.set(anonymous.status, authenticated.status)
        }
        #expect(answers.get() == (401, 200))
        let line = try #require(started)
        #expect(line.contains(", admin on 0.0.0.0:"), "\(line)")
        #expect(!line.hasSuffix(":0"), "\(line)")
    }

    @Test("a deny list with a bad line stops the start, naming the file, the line and its content")
    func badDenyListStopsTheStart() async throws {
        let world = try TestWorld(clients: 1)
        defer { world.remove() }
        let fleet = try TestFleet(directory: world.directory)
        var tls = fleet.tls
        tls.denyList = world.directory + "/revoked.txt"
        try "client edge-1\nserial xyz\n".write(toFile: world.directory + "/revoked.txt", atomically: true, encoding: .utf8)
        let refusal = "\(await refusedStart(try world.configuration(target: 1, tls: tls)).map { "\($0)" } ?? "no error")"
        #expect(refusal.contains("tls.deny_list: \(world.directory)/revoked.txt:2: serial \"xyz\" is not hexadecimal: \"serial xyz\""), "\(refusal)")
    }
}

/// Two numbers (ports, HTTP statuses) handed out of a @Sendable closure.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var ports: (Int?, Int?) = (nil, nil)
    func set(_ port: Int?, _ admin: Int?) { lock.lock(); ports = (port, admin); lock.unlock() }
    func get() -> (Int?, Int?) { lock.lock(); defer { lock.unlock() }; return ports }
}
