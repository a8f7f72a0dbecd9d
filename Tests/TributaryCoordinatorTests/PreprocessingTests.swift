import Foundation
import Logging
import Testing
@testable import TributaryCoordinator
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryRegistry
import TributarySystem
import TributaryWire

/// The coordinator and a model that carries its preprocessing (issue 12, item 5): every offer and
/// release carries the live version's preprocessing, the held-out evaluation applies it, the
/// registry stores it, and a live model without a standardiser is warned about at start.
@Suite struct CoordinatorPreprocessingTests {
    /// Log lines at warning level, kept in memory.
    final class Warnings: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        var all: [String] { lock.withLock { lines } }
        func append(_ line: String) { lock.withLock { lines.append(line) } }

        var logger: Logger {
            Logger(label: "test") { _ in Handler(warnings: self) }
        }

        struct Handler: LogHandler {
            let warnings: Warnings
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .info
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                if event.level >= .warning { warnings.append("\(event.message)") }
            }
        }
    }

    @Test func offersAndReleasesCarryItAndTheGateJudgesTheModelsInput() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        var sample = world.shares[0]
        sample.append(contentsOf: world.shares[1])
        let preprocessing = try Preprocessing.fitted(to: sample)
        var initial = try CheckpointStore.load(from: world.checkpointPath).checkpoint
        initial.preprocessing = preprocessing
        try CheckpointStore.save(initial, to: world.checkpointPath)
        let wire = try #require(LearningWire.preprocessing(preprocessing))

        let log = EventLog()
        let engine = try await world.engine(try world.configuration(target: 2), log: log)
        var a = try await FakeClient.connect("a", to: engine)
        var b = try await FakeClient.connect("b", to: engine)
        #expect(try #require(await a.nextRelease()).preprocessing == wire)
        let offerA = try #require(await a.nextOffer()), offerB = try #require(await b.nextOffer())
        #expect(offerA.preprocessing == wire && offerB.preprocessing == wire)
        // The edges train on their raw shares; EdgeTrainer standardises them with the offer's preprocessing.
        await a.send(try EdgeTrainer(local: nil, data: world.shares[0], seed: 5).answer(offerA).update, to: engine)
        await b.send(try EdgeTrainer(local: nil, data: world.shares[1], seed: 5).answer(offerB).update, to: engine)
        let release = try #require(await a.nextRelease())
        #expect(release.version == 2 && release.preprocessing == wire)

        let registry = try ModelRegistry(directory: world.directory + "/registry")
        let stored = try registry.load(2)
        let first = try registry.load(1)
        #expect(stored.preprocessing == preprocessing && first.preprocessing == preprocessing)
        // The gate's held-out accuracy is the candidate's on the standardised held-out data.
        let closed = try #require(log.all.compactMap { if case .roundClosed(let summary) = $0 { summary } else { nil } }.first)
        let expected = Evaluation.accuracy(try stored.model(), on: try preprocessing.apply(world.heldOut))
        #expect(closed.accuracy["digits"] == expected, "\(closed.line)")
        #expect(expected > closed.parentAccuracy["digits"] ?? 1, "\(closed.line)")
    }

    /// A 3-feature world: an initial checkpoint (with or without preprocessing) and a held-out
    /// CSV with a header, one column on a scale of ~1,000.
    func rawScaleWorld(preprocessing: Preprocessing?, header: String = "motion,pressure,temperature,activity") throws -> TestWorld {
        let world = try TestWorld(clients: 1)
        var generator = SeededGenerator(seed: 21)
        var csv = header + "\n"
        for index in 0..<90 {
            let label = index % 3
            csv += "\(generator.nextGaussian()),\(1000 + 60 * Float(label) + 25 * generator.nextGaussian()),\(generator.nextGaussian()),\(label)\n"
        }
        try csv.write(toFile: world.heldOutPath, atomically: true, encoding: .utf8)
        let spec = try ModelSpec.mlp(input: 3, hidden: [8], outputs: 3)
        try CheckpointStore.save(try Checkpoint.fresh(spec: spec, seed: 3, preprocessing: preprocessing), to: world.checkpointPath)
        return world
    }

    @Test func aLiveModelWithoutAStandardiserIsWarnedAboutNamingTheWidestFeature() async throws {
        let world = try rawScaleWorld(preprocessing: nil)
        defer { world.remove() }
        let warnings = Warnings()
        _ = try CoordinatorEngine(configuration: try world.configuration(target: 1), logger: warnings.logger, emit: { _ in })
        let line = try #require(warnings.all.first { $0.contains("no standardiser") }, "\(warnings.all)")
        #expect(line.hasPrefix("live model version 1 has no standardiser: features reach the model unscaled (held-out feature 'pressure' has mean 10"),
                "\(line)")
        #expect(line.hasSuffix("fit one to a sample of the data with `tributary init --fit-data SAMPLE.csv`"))
        // No standardiser was fitted behind the user's back: version 1 is the file as given.
        let registry = try ModelRegistry(directory: world.directory + "/registry")
        #expect(try registry.load(1).preprocessing.isIdentity)
    }

    @Test func aFittedModelStartsWithoutWarningAndRefusesHeldOutDataOfOtherNames() async throws {
        let names = ["motion", "pressure", "temperature"]
        let preprocessing = try Preprocessing(featureCount: 3, featureNames: names,
                                              standardizer: Standardizer(mean: [0, 1030, 0], std: [1, 55, 1]))
        let world = try rawScaleWorld(preprocessing: preprocessing)
        defer { world.remove() }
        let warnings = Warnings()
        _ = try CoordinatorEngine(configuration: try world.configuration(target: 1), logger: warnings.logger, emit: { _ in })
        #expect(warnings.all.isEmpty, "\(warnings.all)")

        let swapped = try rawScaleWorld(preprocessing: preprocessing, header: "pressure,motion,temperature,activity")
        defer { swapped.remove() }
        let error = try #require(throws: CoordinatorError.self) {
            _ = try CoordinatorEngine(configuration: try swapped.configuration(target: 1), logger: warnings.logger, emit: { _ in })
        }
        #expect(error.reason == "evaluation.held_out 'digits' (\(swapped.heldOutPath)): \(swapped.heldOutPath): features named pressure,motion,temperature; the model expects motion,pressure,temperature")
    }
}
