import TributaryRegistry

/// A write to the round journal, kept until the registry takes it.
enum PendingJournalWrite: Sendable, Equatable {
    case recordUpdate(round: UInt64, clientID: String, examples: Int, digest: String)
    case abandon(round: UInt64, reason: String)
}

extension CoordinatorEngine {
    /// Writes `write` to the journal after the writes still pending. One the registry refuses
    /// for a reason that can pass (a full disk, a locked or read-only database) is kept, with the
    /// ones after it, and retried after `rounds.retry_after`.
    func journal(_ write: PendingJournalWrite) {
        pendingJournal.append(write)
        flushJournal()
    }

    /// Retries the pending journal writes in order, stopping at the first that fails again.
    func flushJournal() {
        while let write = pendingJournal.first {
            do {
                try apply(write)
            } catch let error as RegistryError where error.code == .io || error.code == .database {
                logger.error("could not write the round journal; retrying", metadata: [
                    "journal.pending": "\(pendingJournal.count)", "retry_after": "\(configuration.rounds.retryAfter)", "reason": "\(error)",
                ])
                if stopReason == nil { wake(at: .now + configuration.rounds.retryAfter) }
                return
            } catch {
                // The journal refuses the write for good (the round is not in a state that takes it).
                logger.error("journal write dropped", metadata: ["write": "\(write)", "reason": "\(error)"])
            }
            pendingJournal.removeFirst()
        }
    }

    private func apply(_ write: PendingJournalWrite) throws {
        switch write {
        case .recordUpdate(let round, let clientID, let examples, let digest):
            try registry.recordUpdate(round: round, clientID: clientID, examples: examples, digest: digest)
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
