import NIOConcurrencyHelpers
import TributaryEdge

/// Counts, per round, the faults the edges actually showed: offers dropped, updates sent late.
/// Every edge's event callback records into it, from its own task: one lock over the counts.
final class FaultTally: Sendable {
    /// Round id → client indices.
    private struct Counts {
        var dropped: [UInt64: Set<Int>] = [:]
        var late: [UInt64: Set<Int>] = [:]
    }

    private let counts = NIOLockedValueBox(Counts())
    private let slowClients: @Sendable (UInt64) -> Set<Int>

    /// - Parameter slowClients: the clients the fault plan makes slow in a round.
    init(slowClients: @escaping @Sendable (UInt64) -> Set<Int>) {
        self.slowClients = slowClients
    }

    func record(_ index: Int, _ event: EdgeEvent) {
        switch event {
        case .skipped(let round, let reason) where reason.contains("fault injection"):
            counts.withLockedValue { _ = $0.dropped[round, default: []].insert(index) }
        case .updateSent(let round, _, _) where slowClients(round).contains(index),
             .maskedInputSent(let round, _, _) where slowClients(round).contains(index):
            counts.withLockedValue { _ = $0.late[round, default: []].insert(index) }
        default:
            break
        }
    }

    func counts(round: UInt64) -> (dropped: Int, slow: Int) {
        counts.withLockedValue { ($0.dropped[round]?.count ?? 0, $0.late[round]?.count ?? 0) }
    }
}
