import NIOConcurrencyHelpers

/// How many large inbound messages (Updates, on a coordinator) all connections together may
/// hold at once: a connection takes a permit before it reads a large message and gives it back
/// when the application asks for its next message, that is after it dealt with this one. The
/// others wait with their sockets unread; the peers' bytes wait in the kernel and on the peers.
///
/// So a coordinator whose 1,000 clients answer in the same second holds `permits` updates, not
/// 1,000. Waiters are served first come, first served.
public final class InboundTransferLimit: Sendable {
    public let permits: Int
    private struct State {
        var available: Int
        var waiters: [(id: ObjectIdentifier, grant: @Sendable () -> Void)] = []
    }
    private let state: NIOLockedValueBox<State>

    /// - Parameter permits: large messages held at once, ≥ 1.
    public init(permits: Int) throws {
        guard permits >= 1 else {
            throw TransportError(.invalidConfiguration, "concurrent inbound transfers is \(permits); must be at least 1")
        }
        self.permits = permits
        state = NIOLockedValueBox(State(available: permits))
    }

    /// Permits not taken.
    public var available: Int { state.withLockedValue { $0.available } }
    /// Connections waiting for a permit.
    public var waiting: Int { state.withLockedValue { $0.waiters.count } }

    /// Takes a permit now (true), or queues `grant`, called once with the permit when one frees (false).
    func acquire(for waiter: ObjectIdentifier, grant: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { state in
            if state.available > 0 {
                state.available -= 1
                return true
            }
            state.waiters.append((waiter, grant))
            return false
        }
    }

    /// Gives a permit back: to the longest waiter, else to the pool.
    func release() {
        let next = state.withLockedValue { state -> (@Sendable () -> Void)? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().grant
        }
        next?()
    }

    /// Forgets a waiter (its connection closed); true if it was waiting.
    func cancel(_ waiter: ObjectIdentifier) -> Bool {
        state.withLockedValue { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == waiter }) else { return false }
            state.waiters.remove(at: index)
            return true
        }
    }
}
