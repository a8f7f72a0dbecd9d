import Foundation

/// The value of `task`, or CancellationError as soon as the calling task is cancelled, without
/// waiting for `task` (a training job that cannot be interrupted keeps its thread until it
/// ends, but nobody waits for it).
func valueUnlessCancelled<T: Sendable>(of task: Task<T, any Error>) async throws -> T {
    let once = OnceContinuation<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            once.set(continuation)
            Task { once.resume(with: await task.result) }
        }
    } onCancel: {
        once.resume(with: .failure(CancellationError()))
    }
}

/// A continuation resumed at most once, by whichever result comes first.
private final class OnceContinuation<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        let result: Result<T, any Error>? = lock.withLock {
            if let early { done = true; return early }
            self.continuation = continuation
            return nil
        }
        if let result { continuation.resume(with: result) }
    }

    func resume(with result: Result<T, any Error>) {
        let waiting: CheckedContinuation<T, any Error>? = lock.withLock {
            guard !done else { return nil }
            guard let continuation else {
                if early == nil { early = result }
                return nil
            }
            done = true
            self.continuation = nil
            return continuation
        }
        waiting?.resume(with: result)
    }
}
