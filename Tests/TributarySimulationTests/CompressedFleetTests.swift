import Foundation
import Testing
import TributaryExperiments
import TributarySimulation
import TributaryWire

/// Compressed Updates through a real coordinator and real edge agents over loopback mTLS: the
/// edges announce "compression", the plans carry the configured encoding, the coordinator decodes
/// what arrives, and the report counts the bytes that did.
@Suite(.serialized) struct CompressedFleetTests {
    func run(_ encoding: UpdateEncoding) async throws -> SimulationReport {
        let work = NSTemporaryDirectory() + "tributary-compressed-test-\(UUID().uuidString)"
        var configuration = SimulationConfiguration(workDirectory: work)
        configuration.dataPath = SimulationTests.digitsPath
        configuration.clients = 4
        configuration.taskLimit = 1
        configuration.roundsPerTask = 2
        configuration.compression = encoding
        defer { try? FileManager.default.removeItem(atPath: work) }
        return try await Simulation(configuration: configuration).run()
    }

    @Test func int8DeltaAndInt8FisherRoundsAreAcceptedAtAQuarterOfTheFloat32Bytes() async throws {
        let report = try await run(UpdateEncoding(delta: .int8, fisher: .int8))
        // 4,810 parameters; delta and Fisher (the default rule is Fisher-weighted): 38,480 bytes in Float32.
        #expect(report.fp32UploadBytes == 38_480)
        #expect(report.compression == "int8+int8")
        #expect(report.rounds.count == 2)
        for round in report.rounds {
            #expect(round.outcome == "promoted", "round \(round.roundID): \(round.outcome)")
            #expect(round.accepted == round.offered && round.refused == 0, "round \(round.roundID): \(round.accepted)/\(round.offered), \(round.refused) refused")
            let perUpload = try #require(round.bytesPerUpload)
            // Two int8 vectors of 4,810 values with 19 block scales each and an 8-byte header: 2 × 4,906.
            #expect(perUpload == 2 * (8 + 4 + 19 * 4 + 4_810), "round \(round.roundID): \(perUpload) bytes an Update")
            #expect(Double(perUpload) <= 0.27 * 38_480)
        }
        let ratio = try #require(report.uploadRatio)
        #expect(ratio <= 0.27, "\(ratio)")
        // The fleet still learns the task from quantised updates.
        #expect(report.matrix.values[0][0] > 0.9, "\(report.matrix.values)")
    }

    @Test func topKSendsAboutASeventhOfTheBytes() async throws {
        let report = try await run(UpdateEncoding(delta: .topk, fisher: .sqrtInt8, topKFraction: 0.1))
        #expect(report.rounds.allSatisfy { $0.outcome == "promoted" && $0.refused == 0 }, "\(report.rounds)")
        // 481 kept entries: a 12-byte header and k, ≤ 2 gap bytes and 4 value bytes each; the Fisher as above.
        let ratio = try #require(report.uploadRatio)
        #expect(ratio < 0.2 && ratio > 0.15, "\(ratio)")
    }
}
