import Dispatch
import Logging
import Synchronization
import TributaryRegistry

/// Runs the coordinator's registry and file work (SQLite, fsync, blobs, the commit's arithmetic)
/// on one dedicated serial queue, off the actor and off the cooperative pool, in the order it was
/// asked for: journal writes stay in order and a round's commit finishes before anything queued
/// after it.
///
/// Journal writes the registry refuses for a reason that can pass (`io`: a full disk;
/// `database`: a busy or failing database) are kept, with the ones after them, and retried before each later job and
/// on ``retryJournal()``; each refusal is announced on ``stalls`` so the shell schedules a retry.
final class RegistryWorker: Sendable {
    let registry: ModelRegistry
    private let queue = DispatchQueue(label: "tributary.coordinator.registry")
    private let pending = Mutex<[JournalWrite]>([])
    private let hooks: CoordinatorHooks
    private let logger: Logger
    /// One element per refused journal write.
    let stalls: AsyncStream<Void>
    private let stalled: AsyncStream<Void>.Continuation

    init(registry: ModelRegistry, hooks: CoordinatorHooks, logger: Logger) {
        self.registry = registry
        self.hooks = hooks
        self.logger = logger
        (stalls, stalled) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs `body` on the queue after the pending journal writes had their try.
    func run<T: Sendable>(_ body: @escaping @Sendable (ModelRegistry, CoordinatorHooks) throws -> T) async -> Result<T, any Error> {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                flush()
                continuation.resume(returning: Result { try body(registry, hooks) })
            }
        }
    }

    /// Queues a journal write (it runs after every job asked for before it).
    func journal(_ write: JournalWrite) {
        pending.withLock { $0.append(write) }
        queue.async { [self] in flush() }
    }

    func retryJournal() {
        queue.async { [self] in flush() }
    }

    /// Returns once everything queued before it has run.
    func drain() async {
        _ = await run { _, _ in () }
    }

    /// Writes the pending journal writes in order, stopping at the first the registry refuses for
    /// a reason that can pass. Runs on the queue only.
    private func flush() {
        while let write = pending.withLock({ $0.first }) {
            do {
                try apply(write)
            } catch let error as RegistryError where error.code == .io || error.code == .database {
                logger.error("could not write the round journal; retrying", metadata: [
                    "journal.pending": "\(pending.withLock { $0.count })", "reason": "\(error)",
                ])
                stalled.yield()
                return
            } catch {
                // The journal refuses the write for good (the round is not in a state that takes it).
                logger.error("journal write dropped", metadata: ["write": "\(write)", "reason": "\(error)"])
            }
            pending.withLock { _ = $0.removeFirst() }
        }
    }

    private func apply(_ write: JournalWrite) throws {
        switch write {
        case .recordUpdate(let round, let clientID, let examples, let digest):
            try registry.recordUpdate(round: round, clientID: clientID, examples: examples, digest: digest)
            hooks.reach(.collecting, round: round)
        case .abandon(let round, let reason):
            let record: RoundRecord
            do {
                record = try registry.round(round)
            } catch let error as RegistryError where error.code == .roundNotFound {
                return  // the round failed to open: nothing to end
            }
            if !record.state.isFinished { try registry.abandonRound(round, reason: reason) }
        }
    }
}
