import Foundation
import TributaryEdge

/// Counts, per round, the faults the edges actually showed: offers dropped, updates sent late.
final class FaultTally: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`: round id → client indices.
    private var dropped: [UInt64: Set<Int>] = [:]
    private var late: [UInt64: Set<Int>] = [:]
    private let slowClients: @Sendable (UInt64) -> Set<Int>

    /// - Parameter slowClients: the clients the fault plan makes slow in a round.
    init(slowClients: @escaping @Sendable (UInt64) -> Set<Int>) {
        self.slowClients = slowClients
    }

    func record(_ index: Int, _ event: EdgeEvent) {
        switch event {
        case .skipped(let round, let reason) where reason.contains("fault injection"):
            lock.withLock { _ = dropped[round, default: []].insert(index) }
        case .updateSent(let round, _, _) where slowClients(round).contains(index):
            lock.withLock { _ = late[round, default: []].insert(index) }
        default:
            break
        }
    }

    func counts(round: UInt64) -> (dropped: Int, slow: Int) {
        lock.withLock { (dropped[round]?.count ?? 0, late[round]?.count ?? 0) }
    }
}
