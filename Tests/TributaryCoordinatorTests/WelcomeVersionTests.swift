import Foundation
import Logging
import Testing
@testable import TributaryCoordinator
import TributaryEdgeTransport
import TributaryLearning
import TributaryTransport
import TributaryWire

/// Issue 10, item 13: Welcome.global_model_version reported the version live when the process
/// started (1 while 14 was live).
@Suite(.serialized) struct WelcomeVersionTests {
    @Test(.timeLimit(.minutes(3)))
    func aClientConnectingAfterAPromotionIsWelcomedWithTheNewVersion() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        let fleet = try TestFleet(directory: world.directory)
        let permissive = PromotionGate(maxTaskDrop: 1, maxNewDataDrop: 1, minimumStability: 0, maxClientAccuracyDrop: 1, chanceMargin: nil)
        let configuration = try world.configuration(target: 1, gate: permissive, tls: fleet.tls)
        let coordinator = Coordinator(configuration: configuration, logger: Logger(label: "coordinator"))
        let service = Task { try await coordinator.run() }
        defer { service.cancel() }
        var port: Int?
        for _ in 0..<1200 where port == nil {
            port = await coordinator.port
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let bound = try #require(port)

        // edge-0 trains round 1 (trigger: one ready client) and leaves once version 2 is released to it.
        let first = TestEdge(id: "edge-0", data: world.shares[0], transport: try fleet.edge("edge-0"))
        #expect(try await first.run(port: bound, untilVersion: 2).adopted == 2)
        #expect(try await coordinator.status().liveVersion == 2)

        let hello = Hello(clientID: "edge-1", device: DeviceFacts(examplesAvailable: 0, charging: true, meteredNetwork: false, modelVersion: 0))
        let welcomed = try await EdgeClient.withSession(host: "127.0.0.1", port: bound, hello: hello, configuration: try fleet.edge("edge-1"),
                                                        logger: Logger(label: "edge")) { welcome, connection in
            try? await connection.send(.goodbye(Goodbye(reason: .done)))
            return welcome.globalModelVersion
        }
        #expect(welcomed == 2)
        await coordinator.shutdown()
        _ = try? await service.value
    }
}
