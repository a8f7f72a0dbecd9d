import Foundation
import MetricsTestKit
import Testing
import TributaryCoordinatorTransport
import TributaryTransport

/// The deny list fails closed: a configured list that is missing or has a bad line stops the
/// server from binding; after start, a bad edit or a deleted file keeps the last good list.
@Suite("Deny list at start and on reload", .serialized)
struct DenyListStartupTests {
    func bindError(_ configuration: CoordinatorTransportConfiguration) async -> TransportError? {
        do {
            let server = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: configuration, logger: Samples.logger)
            await server.close()
            return nil
        } catch let error as TransportError {
            return error
        } catch {
            return TransportError(.tlsFailure, "unexpected \(type(of: error)): \(error)")
        }
    }

    @Test("one unparsable line at the start of the file: the server does not bind, and says which file, line and content")
    func badLineRefusesTheStart() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        try "clinet edge-1\nclient edge-2\n".write(toFile: fleet.denyListPath, atomically: true, encoding: .utf8)
        let error = await bindError(try await fleet.serverConfiguration())
        #expect(error?.code == .invalidDenyList, "\(String(describing: error))")
        #expect(error?.reason.contains("\(fleet.denyListPath):1: unknown keyword \"clinet\": \"clinet edge-1\"") == true, "\(String(describing: error))")
    }

    @Test("a configured deny list that does not exist: refused unless optional")
    func missingFile() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        try FileManager.default.removeItem(atPath: fleet.denyListPath)
        var configuration = try await fleet.serverConfiguration()
        let error = await bindError(configuration)
        #expect(error?.code == .invalidDenyList, "\(String(describing: error))")
        #expect(error?.reason.hasPrefix("\(fleet.denyListPath) does not exist") == true, "\(String(describing: error))")
        #expect(error?.reason.contains("tls.deny_list_optional") == true)

        configuration.denyListOptional = true
        #expect(await bindError(configuration) == nil)
    }

    @Test("after start, a bad edit and then a deleted file keep the last good list: the revoked client stays refused")
    func badReloadKeepsTheLastGoodList() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        try fleet.revoke("edge-1")
        let metrics = TestMetrics()
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration(), metrics: TransportMetrics(factory: metrics))
        let edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        let exchange = { await TransportRejectionTests().edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: edge) }
        #expect(await exchange()?.code == .revoked)

        try "not a line\n".write(toFile: fleet.denyListPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: fleet.denyListPath)
        #expect(await exchange()?.code == .revoked)
        #expect(try metrics.expectCounter(TransportMetrics.denyListFailuresLabel).totalValue == 1)

        try FileManager.default.removeItem(atPath: fleet.denyListPath)
        #expect(await exchange()?.code == .revoked)
        #expect(try metrics.expectCounter(TransportMetrics.denyListFailuresLabel).totalValue == 2)
        await server.stop()
    }
}
