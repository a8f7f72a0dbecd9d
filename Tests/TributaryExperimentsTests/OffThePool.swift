import Foundation

/// Runs minutes of CPU-bound training on a thread of its own. Swift Testing runs suites on the
/// cooperative pool, which has one thread per core: a synchronous quality-bar test would hold one
/// of a 2-core machine's two threads for minutes and starve the suites that wait on sockets (their
/// reads and timers then fire late and they fail on a loaded machine).
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
