import Foundation
import Testing
import TributaryCertificates
import TributaryEdge
import TributaryWire

/// A real `tributary-edge run` process, SIGKILLed right after its Update reached the coordinator
/// and started again on the same state directory: offered the same round again (as a coordinator
/// that restarted mid-collection does), it sends exactly the same Update, without training.
@Suite struct EdgeProcessResendTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The edge executable: $TRIBUTARY_EDGE_BIN, else the debug build beside the tests.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["TRIBUTARY_EDGE_BIN"] { return URL(fileURLWithPath: path) }
        return packageRoot.appendingPathComponent(".build/debug/tributary-edge")
    }

    @Test func aKilledEdgeSendsItsKeptUpdateAgainWhenTheRoundIsOfferedAgain() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        // Every session: round 1 at version 1, then read until the edge goes away.
        let offer = try EdgeSamples.offer(round: 1, version: 1)
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1)) { _, client, record in
            try await client.connection.send(.roundOffer(offer))
            while let message = try await client.connection.next() { record(message) }
        }
        let dir = fleet.directory
        var rng = SystemRandomNumberGenerator()
        let issued = try fleet.ca.issueClient(try ClientID("gw-7"), configuration: try LeafCertificateConfiguration(validityDays: 30),
                                              now: Date(), generator: &rng)
        try issued.certificatePEM().write(toFile: dir + "/gw-7.pem", atomically: true, encoding: .utf8)
        try issued.privateKeyPEM().write(toFile: dir + "/gw-7-key.pem", atomically: true, encoding: .utf8)
        let data = EdgeSamples.data(count: 20, seed: 19)
        let csv = (0..<data.count).map { row in (data.row(row).map { "\($0)" } + ["\(data.labels[row])"]).joined(separator: ",") }
        try (csv.joined(separator: "\n") + "\n").write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        let arguments = ["run", "--coordinator", "127.0.0.1:\(coordinator.port)", "--ca", dir + "/ca.pem", "--cert", dir + "/gw-7.pem",
                         "--key", dir + "/gw-7-key.pem", "--state", dir + "/state", "--data", dir + "/data.csv"]

        let first = try launch(arguments)
        #expect(await coordinator.received.wait { Self.updates(in: $0).count >= 1 })
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let firstOutput = String(decoding: first.stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        let second = try launch(arguments)
        let answered = Self.updates(in: coordinator.received.all).count
        #expect(await coordinator.received.wait { Self.updates(in: $0).count > answered })
        second.process.terminate()  // SIGTERM: Goodbye, exit 0
        second.process.waitUntilExit()
        let secondOutput = String(decoding: second.stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        await coordinator.stop()

        let updates = Self.updates(in: coordinator.received.all)
        #expect(updates.allSatisfy { $0 == updates[0] }, "every answer to round 1 is the first Update")
        #expect(firstOutput.contains("sent Update for round 1"), "\(firstOutput)")
        #expect(secondOutput.contains("round 1 offered again: sent its kept Update again (not retrained)"), "\(secondOutput)")
        #expect(!secondOutput.contains("trained round"), "\(secondOutput)")
        #expect(second.process.terminationStatus == 0)
    }

    static func updates(in messages: [WireMessage]) -> [Update] {
        messages.compactMap { if case .update(let update) = $0 { update } else { nil } }
    }

    func launch(_ arguments: [String]) throws -> (process: Process, stdout: Pipe) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, out)
    }
}
