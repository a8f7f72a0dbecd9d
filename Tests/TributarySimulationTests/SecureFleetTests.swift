import Foundation
import Testing
import TributaryAggregation
import TributaryCoordinator
import TributaryExperiments
import TributarySimulation

/// Issue 16 item 1 through real processes' code: a coordinator and edge agents over loopback mTLS
/// run every round under SecAgg+ masks. The coordinator sees only masked vectors and the sums.
@Suite(.serialized) struct SecureFleetTests {
    func configuration(clients: Int, rounds: Int, drop: Double = 0, secure: SecureAggregationSettings?) -> SimulationConfiguration {
        var configuration = SimulationConfiguration(workDirectory: NSTemporaryDirectory() + "tributary-secure-test-\(UUID().uuidString)")
        configuration.dataPath = SimulationTests.digitsPath
        configuration.clients = clients
        configuration.taskLimit = 1
        configuration.roundsPerTask = rounds
        // Rounds close when every selected client answered or left, never on a deadline (a hang guard).
        configuration.collectTimeout = .seconds(300)
        // Plaintext rounds compared without the coordinator's adaptive clipping, which a secure
        // round cannot apply (its edges clip to the layout's bounds before masking).
        configuration.bounds = .off
        if drop > 0 { configuration.faults = FaultConfiguration(dropFraction: drop) }
        configuration.secureAggregation = secure
        return configuration
    }

    func run(_ configuration: SimulationConfiguration) async throws -> SimulationReport {
        defer { try? FileManager.default.removeItem(atPath: configuration.workDirectory) }
        return try await Simulation(configuration: configuration).run()
    }

    @Test func secureRoundsLearnAsPlaintextRoundsDo() async throws {
        let plain = try await run(configuration(clients: 6, rounds: 3, secure: nil))
        let secure = try await run(configuration(clients: 6, rounds: 3, secure: SecureAggregationSettings()))
        #expect(secure.rounds.allSatisfy { $0.outcome == "promoted" && $0.accepted == 6 }, "\(secure.rounds.map { ($0.outcome, $0.accepted) })")
        // Fixed point in Z_2^64 loses ~1e-11 per sum; the plaintext fold is float32 in arrival
        // order. A digit or two of the test set may flip; the five-task figures are in docs/benchmarks.md.
        let difference = abs(secure.matrix.values[0][0] - plain.matrix.values[0][0])
        #expect(difference <= 0.01, "secure \(secure.matrix.values[0][0]), plaintext \(plain.matrix.values[0][0])")
        // What the coordinator received: per client, 64-bit ring elements of Σ nFΔ and Σ nF (4,810
        // parameters each) and Σ n, nothing else.
        #expect(secure.rounds.allSatisfy { $0.bytesFromClients == 6 * (2 * 4_810 + 1) * 8 }, "\(secure.rounds.map(\.bytesFromClients))")
    }

    @Test func clientsDroppingAfterSharingKeysLeaveTheSurvivorsSum() async throws {
        let secure = try await run(configuration(clients: 10, rounds: 3, drop: 0.3, secure: SecureAggregationSettings()))
        let plain = try await run(configuration(clients: 10, rounds: 3, drop: 0.3, secure: nil))
        // The same seeded clients drop in both runs: in the secure one after sharing their keys,
        // so their pairwise masks must be rebuilt from their neighbours' shares.
        #expect(secure.rounds.allSatisfy { $0.outcome == "promoted" && $0.dropped == 3 && $0.accepted == 7 },
                "\(secure.rounds.map { ($0.outcome, $0.dropped, $0.accepted, $0.abandonReason ?? "") })")
        #expect(plain.rounds.map(\.accepted) == secure.rounds.map(\.accepted))
        let difference = abs(secure.matrix.values[0][0] - plain.matrix.values[0][0])
        #expect(difference <= 0.01, "secure \(secure.matrix.values[0][0]), plaintext \(plain.matrix.values[0][0])")
    }

    @Test func tooFewSurvivorsAbortTheRoundWithItsReason() async throws {
        var settings = SecureAggregationSettings()
        settings.dropoutRate = 0.1
        let report = try await run(configuration(clients: 6, rounds: 1, drop: 0.6, secure: settings))
        let round = try #require(report.rounds.first)
        #expect(round.outcome == "abandoned")
        let reason = round.abandonReason ?? ""
        #expect(reason.contains("secure aggregation aborted in maskedInput") && reason.contains("2 of 6 clients answered maskedInput"), "\(reason)")
        #expect(report.rounds[0].version == 1, "no version was made from the aborted round")
    }
}
