import Foundation
import Logging
import TributaryLearning
import TributaryRegistry
import TributaryRounds

/// Start-up: what the previous process left in the registry, resolved before any client connects.
enum CoordinatorStartup {
    /// Opens the registry (exclusively) and sweeps the debris of killed commits.
    static func openRegistry(_ configuration: CoordinatorConfiguration, logger: Logger) throws -> ModelRegistry {
        do {
            let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: configuration.registryDirectory, access: .exclusive))
            let swept = try registry.sweep()  // the lock keeps other writers out
            if swept.removedCount > 0 { logger.info("registry sweep: \(swept.summary)") }
            return registry
        } catch let error as RegistryError where error.code == .locked || error.code == .readOnly {
            throw CoordinatorError(.startup, "registry.directory: \(error.reason)")  // the reason names the path
        } catch let error as RegistryError {
            throw CoordinatorError(.startup, "registry.directory \(configuration.registryDirectory): \(error.reason)")
        }
    }

    /// Resolves unfinished rounds in the journal (`RoundRecovery`); returns what became of each
    /// and the one round to resume, with the updates the journal holds for it as `resend`.
    static func recover(registry: ModelRegistry, now: CoordinatorTime) throws -> (recovered: [(round: UInt64, outcome: String)], resumed: Round?) {
        var recovered: [(round: UInt64, outcome: String)] = []
        var resume: Round?
        for decision in try registry.recoverRounds(now: now.date) {
            switch decision {
            case .close(let round, let version):
                recovered.append((round, try finishRecoveredCommit(registry: registry, version: version)))
            case .abandon(let round, let reason):
                recovered.append((round, "abandoned: \(reason)"))
            case .resume(let round, let resend):
                let record = try registry.round(round)
                let remaining = record.deadline.timeIntervalSince(now.date)
                let journaled = record.updates.filter { resend.contains($0.clientID) }
                resume = Round(
                    id: round, baseVersion: record.baseVersion ?? 0, selected: record.selected,
                    resend: Dictionary(journaled.map { ($0.clientID, JournaledUpdate(examples: $0.examples, digest: $0.digest)) },
                                       uniquingKeysWith: { first, _ in first }),
                    startedAt: now.instant, deadline: now.instant + .milliseconds(Int64(max(0, remaining) * 1000)))
            }
        }
        recovered += try abandonRollouts(registry: registry)
        return (recovered, resume)
    }

    /// A rollout dies with the process that ran it: a version still held for its cohort (a
    /// candidate marked `release.cohort`) is rejected with an `abandoned` decision, so the live
    /// version stays live and the cohort gets it again when it reconnects.
    private static func abandonRollouts(registry: ModelRegistry) throws -> [(round: UInt64, outcome: String)] {
        var abandoned: [(round: UInt64, outcome: String)] = []
        for version in try registry.list() where version.status == .candidate && version.metrics["release.cohort"] == 1 {
            let started = try registry.decisions(of: version.number).last { $0.kind.hasSuffix("_started") }
            let mode = started.map { String($0.kind.dropLast("_started".count)) } ?? "cohort"
            try registry.settle(promote: false, VersionDecision(
                version: version.number, kind: "abandoned",
                reason: "the coordinator stopped during its \(mode) rollout; the live version stays, and the cohort gets it again when it reconnects"))
            abandoned.append((version.roundID ?? 0, "version \(version.number)'s \(mode) rollout abandoned (the coordinator stopped during it); the version is rejected"))
        }
        return abandoned
    }

    /// A round whose version was registered before the crash: apply the gate decision stored with
    /// the version (`gate.promote`) if it was not applied yet.
    private static func finishRecoveredCommit(registry: ModelRegistry, version: UInt64) throws -> String {
        let row = try registry.show(version)
        guard row.status == .candidate else { return "closed with version \(version) (\(row.status.rawValue))" }
        // Held for a cohort: `abandonRollouts` rejects it; it is never promoted past its rollout.
        if row.metrics["release.cohort"] == 1 { return "closed with version \(version), held for a rollout that did not survive the restart" }
        if row.metrics["gate.promote"] == 1 {
            try registry.promote(version)
            return "closed with version \(version), promoted on restart (the gate had passed it)"
        }
        try registry.reject(version, reason: "evaluation gate refused it (applied on restart)")
        return "closed with version \(version), rejected on restart (the gate had refused it)"
    }

    /// The live version, registering and promoting `initialCheckpoint` as the first when none is live.
    static func loadLive(registry: ModelRegistry, initialCheckpoint: String?) throws -> GlobalModel {
        do {
            if let live = try registry.live() {
                return try GlobalModel(version: live.number, stored: try registry.load(live.number))
            }
            guard let initialCheckpoint else {
                throw CoordinatorError(.startup, "the registry has no live version and model.initial_checkpoint is not set (make one with `tributary init`)")
            }
            let checkpoint: Checkpoint
            do {
                checkpoint = try CheckpointStore.load(from: initialCheckpoint).checkpoint
            } catch let error as LearningError {
                throw CoordinatorError(.startup, "model.initial_checkpoint \(initialCheckpoint): \(error.reason)")
            }
            let expected = (try registry.list().last?.number ?? 0) + 1
            let first = try GlobalModel(version: expected, stored: checkpoint)
            let version = try registry.register(candidate: VersionCandidate(
                checkpoint: try first.storedCheckpoint(), note: "initial model from \(initialCheckpoint)"))
            try registry.promote(version.number)
            return try GlobalModel(version: version.number, stored: try registry.load(version.number))
        } catch let error as RegistryError {
            throw CoordinatorError(.startup, "registry \(registry.configuration.directory): \(error.reason)")
        }
    }

    /// A standardised feature has |mean| + std near 1.
    static let unscaledLimit: Float = 10

    /// Warns when the live model feeds features to the model raw (no standardiser) while a
    /// held-out feature is far from unit scale (|mean| + std above `unscaledLimit`): a feature on
    /// a scale of ~1,000 keeps a fleet at chance. The standardiser is part of the model and is
    /// fitted by `tributary init --fit-data`, never here from the evaluation data.
    static func warnIfUnstandardised(_ live: GlobalModel, heldOut: HeldOutSets, logger: Logger) {
        guard live.checkpoint.preprocessing.standardizer == nil, let widest = heldOut.widestFeature(),
              abs(widest.mean) + widest.std > unscaledLimit else { return }
        logger.warning(
            "live model version \(live.version) has no standardiser: features reach the model unscaled (held-out feature '\(widest.name)' has mean \(widest.mean), std \(widest.std)); fit one to a sample of the data with `tributary init --fit-data SAMPLE.csv`",
            metadata: ["model.version": "\(live.version)"])
    }

    /// The live version's release forms; the delta is built when the parent is in the registry.
    static func releaseSet(registry: ModelRegistry, live: GlobalModel) throws -> ReleaseSet {
        let row = try registry.show(live.version)
        let parent = try row.parent.map { try registry.load($0).parameters }
        return try ReleaseSet(live: live, parentVersion: row.parent ?? 0, parentParameters: parent)
    }
}
