import Foundation
import NIOSSL
import Testing
import TributaryCertificates
import TributaryEdgeTransport
import TributarySession
import TributaryTransport
import TributaryWire

/// Every refusal over real TLS on 127.0.0.1, seen from both sides: the code the edge's user
/// reads, and the code the coordinator reports (log, counter, `refusals`).
@Suite("Transport over mutual TLS 1.3", .serialized)
struct TransportRejectionTests {
    /// Connects an edge with `configuration`; returns the error it saw (nil: the exchange completed).
    func edgeExchange(port: Int, hello: Hello, configuration: EdgeTransportConfiguration,
                      update: Update = Samples.update()) async -> TransportError? {
        do {
            try await EdgeClient.withSession(host: "127.0.0.1", port: port, hello: hello, configuration: configuration,
                                             logger: Samples.logger) { _, connection in
                while let message = try await connection.next() {
                    if case .roundOffer = message { try await connection.send(.update(update)) }
                }
            }
            return nil
        } catch let error as TransportError {
            return error
        } catch {
            return TransportError(.tlsFailure, "unexpected \(type(of: error)): \(error)")
        }
    }

    @Test("a fleet client completes Welcome, Hello, RoundOffer, Update, Goodbye")
    func exchange() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        let edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: edge)
        #expect(error == nil)
        let received = await server.nextUpdate()
        #expect(received?.0 == "edge-1")
        #expect(received?.1 == Samples.update())
        await server.stop()
    }

    @Test("a 24 MB model crosses in chunks, both ways")
    func chunked() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let count = 6 * 1024 * 1024
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration(), offerCount: count)
        let edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: edge,
                                       update: Samples.update(count: count))
        #expect(error == nil)
        #expect(await server.nextUpdate()?.1.delta.scalarCount == count)
        await server.stop()
    }

    @Test("no client certificate")
    func noCertificate() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: try fleet.edgeConfiguration(nil))
        #expect(error?.code == .certificateRequired, "\(String(describing: error))")
        #expect(error?.description.contains("requires a client certificate") == true)
        #expect(await server.nextRefusal()?.code == .certificateRequired)
        await server.stop()
    }

    @Test("a certificate from another CA")
    func otherCA() async throws {
        let fleet = try TestFleet()
        let other = try TestFleet(name: "other")
        defer { fleet.remove(); other.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        let edge = try fleet.edgeConfiguration(try other.client("edge-1"), trustRoot: fleet.ca.certificate)
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: edge)
        #expect(error?.code == .untrustedCertificate, "\(String(describing: error))")
        #expect(error?.description.contains("not by the fleet CA") == true)
        let refusal = await server.nextRefusal()
        #expect(refusal?.code == .untrustedCertificate, "\(String(describing: refusal))")
        await server.stop()
    }

    @Test("an expired certificate")
    func expired() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        let old = try fleet.client("edge-1", issuedAt: Date().addingTimeInterval(-40 * 86_400), days: 30)
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: try fleet.edgeConfiguration(old))
        #expect(error?.code == .certificateExpired, "\(String(describing: error))")
        #expect(error?.description.contains("expired") == true)
        let refusal = await server.nextRefusal()
        #expect(refusal?.code == .certificateExpired, "\(String(describing: refusal))")
        await server.stop()
    }

    @Test("revoked after the coordinator started: the deny list is re-read without a restart")
    func revoked() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        let edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        #expect(await edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: edge) == nil)

        try fleet.revoke("edge-1")
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: edge)
        #expect(error?.code == .revoked, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("coordinator rejected this client:") == true)
        #expect(error?.description.hasSuffix("(code revoked)") == true)
        #expect(await server.nextRefusal()?.code == .revoked)
        await server.stop()
    }

    @Test("revoked while connected: the open session gets Goodbye REVOKED and ends with code revoked")
    func revokedWhileConnected() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        var configuration = try await fleet.serverConfiguration()
        configuration.revocationCheck = .milliseconds(100)
        let server = try await RunningServer(configuration: configuration)
        let edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        let ended: TransportError? = await within(seconds: 60) {
            do {
                try await EdgeClient.withSession(host: "127.0.0.1", port: server.port, hello: Samples.hello("edge-1"),
                                                 configuration: edge, logger: Samples.logger) { _, connection in
                    guard case .roundOffer? = try await connection.next() else { return }
                    #expect(server.server.openSessions == 1)
                    try fleet.revoke("edge-1")
                    while try await connection.next() != nil {}
                }
                return nil
            } catch let error as TransportError {
                return error
            } catch {
                return TransportError(.connectionClosed, "\(error)")
            }
        }
        #expect(ended?.code == .revoked, "\(String(describing: ended))")
        #expect(ended?.description.contains("client edge-1 (certificate serial") == true, "\(String(describing: ended))")
        await server.stop()
    }

    @Test("a Hello claiming another identity")
    func identityMismatch() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        let edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-2"), configuration: edge)
        #expect(error?.code == .identityMismatch, "\(String(describing: error))")
        #expect(error?.description.contains("\"edge-2\"") == true && error?.description.contains("\"edge-1\"") == true)
        #expect(await server.nextRefusal()?.code == .identityMismatch)
        await server.stop()
    }

    @Test("a TLS 1.2-only client")
    func tls12() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        var edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        edge.tls.minimumTLSVersion = .tlsv12
        edge.tls.maximumTLSVersion = .tlsv12
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: edge)
        #expect(error?.code == .unsupportedTLSVersion, "\(String(describing: error))")
        #expect(error?.description.contains("only TLS 1.3") == true)
        let refusal = await server.nextRefusal()
        #expect(refusal?.code == .unsupportedTLSVersion, "\(String(describing: refusal))")
        await server.stop()
    }

    @Test("an oversized frame from a real edge: the coordinator's Error reaches the user")
    func oversizedFromEdge() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        var edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        edge.wire = WireConfiguration(maxFrameBytes: 64 * 1024 * 1024, chunkSize: 48 * 1024 * 1024)
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: edge,
                                       update: Samples.update(count: 2 * 1024 * 1024))
        #expect(error?.code == .frameTooLarge, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("coordinator refused a frame from this client: frame length prefix is") == true)
        #expect(await server.nextRefusal()?.code == .frameTooLarge)
        await server.stop()
    }

    @Test("raw bytes after Welcome", arguments: [
        ("oversized length prefix", [0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3], ErrorMessage.Code.frameTooLarge, TransportError.Code.frameTooLarge),
        ("garbage", [0, 0, 0, 6, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0xFA], .malformedFrame, .malformedFrame),
        ("envelope protocol_version 2", [0, 0, 0, 2, 0x08, 0x02], .unsupportedProtocolVersion, .unsupportedProtocolVersion),
    ] as [(String, [UInt8], ErrorMessage.Code, TransportError.Code)])
    func raw(name: String, bytes: [UInt8], expected: ErrorMessage.Code, refusal: TransportError.Code) async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        let client = try await RawTLSClient.connect(port: server.port, configuration: try fleet.edgeConfiguration(try fleet.client("edge-1")))
        let (first, replies) = try await client.exchange(bytes)
        guard case .welcome? = first else { Issue.record("first frame was \(String(describing: first))"); return }
        guard case .error(let error)? = replies.first else { Issue.record("\(name): replies \(replies)"); return }
        #expect(error.code == expected, "\(name): \(error.message)")
        #expect(await server.nextRefusal()?.code == refusal)
        await server.stop()
    }

    @Test("a Hello with protocol version 9")
    func wrongHelloVersion() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        let edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        let error = await edgeExchange(port: server.port, hello: Samples.hello("edge-1", version: 9), configuration: edge)
        #expect(error?.code == .unsupportedProtocolVersion, "\(String(describing: error))")
        #expect(error?.description.contains("Hello.protocol_version is 9") == true)
        #expect(await server.nextRefusal()?.code == .unsupportedProtocolVersion)
        await server.stop()
    }

    @Test("a client that never says Hello is dropped at the deadline")
    func helloDeadline() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        var configuration = try await fleet.serverConfiguration()
        // A deadline long enough that a loaded machine still completes TLS well before it: the
        // client then waits for the Goodbye, however long the deadline is.
        configuration.session = SessionConfiguration(heartbeatInterval: .seconds(1), idleTimeout: .seconds(3),
                                                     handshakeTimeout: .seconds(2))
        let server = try await RunningServer(configuration: configuration)
        let client = try await RawTLSClient.connect(port: server.port, configuration: try fleet.edgeConfiguration(try fleet.client("edge-1")))
        let (_, replies) = try await client.exchange([])
        guard case .goodbye(let goodbye)? = replies.first else { Issue.record("replies \(replies)"); return }
        #expect(goodbye.reason == .idleTimeout)
        #expect(await server.nextRefusal()?.code == .handshakeTimeout)
        await server.stop()
    }
}
