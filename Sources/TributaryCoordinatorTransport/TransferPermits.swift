import NIOConcurrencyHelpers
import NIOCore
import TributaryTransport

/// A pool of permits for model-sized transfers that many connections share, first come, first
/// served: how many are received at once (the coordinator's ``InboundGate``s, so that 1,000
/// clients answering in the same second cost `permits` Updates of memory, not 1,000), or sent at
/// once (the coordinator's offers and releases).
///
/// Event-loop code takes a permit or queues a callback (``take(orQueue:)``); tasks wait for one
/// (``acquire()``). Every permit taken is given back with ``release()``.
public final class TransferPermits: Sendable {
    /// A queued request, to withdraw with ``cancel(_:)``.
    struct Ticket: Hashable, Sendable {
        fileprivate let number: UInt64
    }

    public let permits: Int
    private struct State {
        var available: Int
        var waiters = CircularBuffer<(ticket: Ticket, grant: @Sendable () -> Void)>()
        var nextTicket: UInt64 = 0
    }
    private let state: NIOLockedValueBox<State>

    /// - Parameter permits: transfers at once, ≥ 1.
    public init(permits: Int) throws {
        guard permits >= 1 else {
            throw TransportError(.invalidConfiguration, "concurrent transfers is \(permits); must be at least 1")
        }
        self.permits = permits
        state = NIOLockedValueBox(State(available: permits))
    }

    /// Permits not taken.
    public var available: Int { state.withLockedValue { $0.available } }
    /// Requests waiting for a permit.
    public var waiting: Int { state.withLockedValue { $0.waiters.count } }

    /// Takes a permit now (nil), or queues `grant`, called once with the permit when one frees,
    /// and returns its ticket.
    func take(orQueue grant: @escaping @Sendable () -> Void) -> Ticket? {
        state.withLockedValue { state in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            state.nextTicket += 1
            let ticket = Ticket(number: state.nextTicket)
            state.waiters.append((ticket, grant))
            return ticket
        }
    }

    /// Waits until a permit is taken.
    public func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if take(orQueue: { continuation.resume() }) == nil { continuation.resume() }
        }
    }

    /// Gives a permit back: to the longest waiter, else to the pool.
    public func release() {
        let next = state.withLockedValue { state -> (@Sendable () -> Void)? in
            guard let waiter = state.waiters.popFirst() else {
                state.available += 1
                return nil
            }
            return waiter.grant
        }
        next?()
    }

    /// Withdraws a queued request (its connection closed); true if it was still waiting.
    func cancel(_ ticket: Ticket) -> Bool {
        state.withLockedValue { state in
            guard let index = state.waiters.firstIndex(where: { $0.ticket == ticket }) else { return false }
            state.waiters.remove(at: index)
            return true
        }
    }
}
