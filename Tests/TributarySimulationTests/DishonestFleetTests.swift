import Foundation
import Testing
import TributaryAggregation
import TributaryExperiments
import TributarySimulation

/// Issue 16 item 4: 20 % of the edges lie in every Update they send, through a real coordinator and
/// real edge agents over loopback mTLS. With the update bounds on the fleet learns as a clean one
/// does; with them off it does not. (docs/benchmarks.md has the whole five-task protocol.)
@Suite(.serialized) struct DishonestFleetTests {
    func configuration(tasks: Int, rounds: Int, dishonest: FaultConfiguration.DishonestKind?, bounds: UpdateBounds,
                       participation: Double = 1) -> SimulationConfiguration {
        var configuration = SimulationConfiguration(workDirectory: NSTemporaryDirectory() + "tributary-dishonest-test-\(UUID().uuidString)")
        configuration.dataPath = SimulationTests.digitsPath
        configuration.clients = 10
        configuration.taskLimit = tasks
        configuration.roundsPerTask = rounds
        // Rounds close on their target, never on a deadline: which Updates a round holds must not
        // depend on how fast the machine is. A refused liar never answers again, so a run whose
        // liars are refused targets the honest 80 % (participation 0.8); the deadline is a hang guard.
        configuration.participation = participation
        configuration.collectTimeout = .seconds(300)
        configuration.bounds = bounds
        if let dishonest { configuration.faults = FaultConfiguration(dishonestFraction: 0.2, dishonestKind: dishonest) }
        return configuration
    }

    func run(_ configuration: SimulationConfiguration) async throws -> SimulationReport {
        defer { try? FileManager.default.removeItem(atPath: configuration.workDirectory) }
        return try await Simulation(configuration: configuration).run()
    }

    @Test func inflatedCountsAndFishersAreRefusedAndTheFleetStillLearns() async throws {
        let clean = try await run(configuration(tasks: 1, rounds: 5, dishonest: nil, bounds: .default))
        let bounded = try await run(configuration(tasks: 1, rounds: 5, dishonest: .inflate, bounds: .default, participation: 0.8))
        let unbounded = try await run(configuration(tasks: 1, rounds: 5, dishonest: .inflate, bounds: .off))

        // Each liar's count is over what its plan stated: it is refused whenever it arrives while
        // the round collects (a liar slower than the eighth honest Update finds the round closed),
        // so every round holds the eight honest Updates.
        #expect(bounded.rounds.allSatisfy { $0.accepted == 8 && $0.refused <= 2 }, "\(bounded.rounds.map(\.refused))")
        #expect(bounded.rounds.map(\.refused).reduce(0, +) >= 1, "no liar was refused: \(bounded.rounds.map(\.refused))")
        #expect(unbounded.rounds.allSatisfy { $0.refused == 0 && $0.accepted == 10 })
        let cleanAccuracy = clean.matrix.values[0][0], boundedAccuracy = bounded.matrix.values[0][0]
        #expect(boundedAccuracy >= cleanAccuracy - 0.02, "bounded \(boundedAccuracy), clean \(cleanAccuracy)")
        // Unbounded, two liars with a million times the weight decide every parameter (69 % in the
        // benchmark run, against 99 %).
        #expect(unbounded.matrix.values[0][0] < cleanAccuracy - 0.1, "unbounded \(unbounded.matrix.values[0][0]), clean \(cleanAccuracy)")
    }

    @Test func scaledDeltasAreClippedAndTheFleetStillLearns() async throws {
        let clean = try await run(configuration(tasks: 2, rounds: 5, dishonest: nil, bounds: .default))
        // A liar's delta past the fixed max_delta_norm is refused (and it never answers again), so
        // the bounded run targets 80 % of the fleet.
        let bounded = try await run(configuration(tasks: 2, rounds: 5, dishonest: .scale, bounds: .default, participation: 0.8))
        let unbounded = try await run(configuration(tasks: 2, rounds: 5, dishonest: .scale, bounds: .off))

        // Clipped (or, past the fixed max_delta_norm, refused): no round is lost. The clip's
        // warm-up (the first 5 norms pass unclipped) and a new task's larger deltas cost the
        // bounded fleet 2 to 5 points in so short a run (seen: 96.3 and 92.1 % against 98.6 and
        // 97.2 % clean; 36.6 % unbounded); the five-task protocol ends within 0.2 points.
        #expect(bounded.rounds.allSatisfy { $0.outcome == "promoted" && $0.accepted >= 8 }, "\(bounded.rounds.map(\.accepted))")
        // Which eight Updates a round holds depends on arrival order (a clipped liar may be among
        // them): seen 86.1 % against 98.1 % clean on a loaded CI machine.
        #expect(bounded.matrix.averageAccuracy >= clean.matrix.averageAccuracy - 0.15,
                "bounded ACC \(bounded.matrix.averageAccuracy), clean \(clean.matrix.averageAccuracy)")
        // Unbounded, the two liars' deltas a hundred times over wreck the second task's rounds.
        #expect(unbounded.matrix.averageAccuracy < clean.matrix.averageAccuracy - 0.15,
                "unbounded ACC \(unbounded.matrix.averageAccuracy), clean \(clean.matrix.averageAccuracy)")
    }
}
