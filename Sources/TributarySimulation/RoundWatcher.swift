import TributaryCoordinator

/// Follows the coordinator's events for the simulation: where it listens, and how each round ended.
actor RoundWatcher {
    enum Ending: Sendable {
        case closed(RoundSummary)
        case abandoned(String)
    }

    private var port: Int?
    private var portWaiters: [CheckedContinuation<Int?, Never>] = []
    private var endings: [UInt64: Ending] = [:]
    private var roundWaiters: [UInt64: [CheckedContinuation<Ending?, Never>]] = [:]
    private var offered: [UInt64: Int] = [:]
    private var refused: [UInt64: Int] = [:]
    private var finished = false
    /// Why the coordinator stopped, once it did.
    private(set) var stopReason: String?

    func consume(_ events: AsyncStream<CoordinatorEvent>, print: @Sendable (String) -> Void) async {
        for await event in events {
            switch event {
            case .listening(_, let port, _, _):
                self.port = port
                for waiter in portWaiters { waiter.resume(returning: port) }
                portWaiters.removeAll()
            case .roundStarted(let round, _, let count):
                offered[round] = count
            case .updateRefused(let round, _, _, _):
                refused[round, default: 0] += 1
            case .roundClosed(let summary):
                end(summary.round, .closed(summary))
            case .roundAbandoned(let round, let reason):
                end(round, .abandoned(reason))
            case .stopped(let reason):
                stopReason = reason
                print("coordinator stopped: \(reason)")
            default:
                break
            }
        }
        finished = true
        for waiter in portWaiters { waiter.resume(returning: nil) }
        portWaiters.removeAll()
        for (_, waiters) in roundWaiters { for waiter in waiters { waiter.resume(returning: nil) } }
        roundWaiters.removeAll()
    }

    /// The coordinator's port, or nil when it stopped before listening.
    func listeningPort() async -> Int? {
        if let port { return port }
        if finished { return nil }
        return await withCheckedContinuation { portWaiters.append($0) }
    }

    /// How round `id` ended, or nil when the coordinator stopped first.
    func ending(of id: UInt64) async -> Ending? {
        if let ending = endings[id] { return ending }
        if finished { return nil }
        return await withCheckedContinuation { roundWaiters[id, default: []].append($0) }
    }

    func offeredCount(_ id: UInt64) -> Int { offered[id] ?? 0 }
    func refusedCount(_ id: UInt64) -> Int { refused[id] ?? 0 }

    private func end(_ round: UInt64, _ ending: Ending) {
        endings[round] = ending
        for waiter in roundWaiters.removeValue(forKey: round) ?? [] { waiter.resume(returning: ending) }
    }
}
