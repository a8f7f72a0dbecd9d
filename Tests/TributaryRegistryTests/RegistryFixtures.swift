import Foundation
import TributaryLearning
import TributaryRegistry

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date()) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

enum RegistryFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-registry-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func registry(_ directory: String = temporaryDirectory(), clock: TestClock = TestClock()) throws -> ModelRegistry {
        try ModelRegistry(configuration: RegistryConfiguration(directory: directory, clock: { clock.now }))
    }

    static func checkpoint(seed: UInt64) throws -> Checkpoint {
        try Checkpoint.fresh(spec: ModelSpec.mlp(input: 4, hidden: [8], outputs: 3), seed: seed)
    }

    static func candidate(seed: UInt64, parent: Int64? = nil, round: Int64? = nil) throws -> VersionCandidate {
        VersionCandidate(
            checkpoint: try checkpoint(seed: seed), parent: parent, roundID: round, participants: ["edge-a", "edge-b"],
            metrics: ["accuracy": 0.9, "bwt": -0.01], note: "seed \(seed)")
    }

    /// The built executable `name` beside the tests.
    static func binary(_ name: String) -> String {
        packageRoot.appendingPathComponent(".build/debug/\(name)").path
    }
}
