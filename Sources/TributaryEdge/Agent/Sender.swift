import Foundation
import NIOCore
import TributaryLearning
import TributaryWire

/// What the tasks of one session share: the writer to the coordinator and the agent's state.
final class Sender: @unchecked Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<WireMessage>
    let state: EdgeState
    unowned let agent: EdgeAgent
    private let lock = NSLock()
    /// Guarded by `lock`: the rounds asked for were answered and Goodbye{DONE} sent.
    private var done = false

    init(outbound: NIOAsyncChannelOutboundWriter<WireMessage>, state: EdgeState, agent: EdgeAgent) {
        self.outbound = outbound
        self.state = state
        self.agent = agent
    }

    var isDone: Bool { lock.withLock { done } }

    func markDone() { lock.withLock { done = true } }

    /// Reports the edge ready, naming the trigger.
    func ready(_ reason: TrainingTrigger.Reason) async throws {
        try await announce(reason.name)
    }

    /// Sends the current facts as a Ready named `trigger`; ready when there is something to train on.
    func announce(_ trigger: String) async throws {
        let facts = try await state.facts()
        try await outbound.write(.ready(Ready(device: facts, trigger: trigger, ready: facts.examplesAvailable > 0)))
        agent.emit(.readySent(trigger: trigger))
    }
}

/// The sender of the open session, if any; set and read from different tasks.
final class SenderSlot: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var sender: Sender?

    func set(_ sender: Sender?) { lock.withLock { self.sender = sender } }

    func get() -> Sender? { lock.withLock { sender } }
}

/// Calls a hook once, from any thread.
final class OnceHook: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var hook: (@Sendable () -> Void)?

    init(_ hook: (@Sendable () -> Void)?) {
        self.hook = hook
    }

    func call() {
        let pending: (@Sendable () -> Void)? = lock.withLock {
            defer { hook = nil }
            return hook
        }
        pending?()
    }
}
