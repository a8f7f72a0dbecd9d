import Foundation

/// A one-way latch tasks can wait on: set once (shutdown requested), wakes every waiter.
/// A waiter also returns when its task is cancelled.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var fired = false
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    var isFired: Bool { lock.withLock { fired } }

    func fire() {
        let woken: [CheckedContinuation<Void, Never>] = lock.withLock {
            fired = true
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns when fired or when the calling task is cancelled.
    func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = lock.withLock {
                    if fired || Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = lock.withLock { waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Sleeps for `duration`; returns early (false) when fired or cancelled.
    func sleep(for duration: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await Task.sleep(for: duration)) != nil }
            group.addTask { await self.wait(); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first && !isFired
        }
    }
}
