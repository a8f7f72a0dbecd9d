/// What the server machine asks its shell to do.
public enum SecAggServerAction: Sendable, Hashable {
    /// Send `message` to client `to`.
    case send(SecAggServerMessage, to: Int)
    /// Call ``SecAggServer/tick(now:)`` at this instant (the current phase's deadline).
    case wakeUp(at: ContinuousClock.Instant)
    /// Run the job (off the actor or event loop, on any number of threads) and give its outcome
    /// to ``SecAggServer/unmaskingFinished(_:now:)``.
    case unmask(SecAggUnmaskingJob)
    /// A client's message was refused and ignored (the client is treated as silent in this phase).
    case refuse(client: Int, SecAggError)
    /// The round finished: the unmasked sum.
    case finished(SecAggSum)
    /// The round aborted in `phase`; nothing about any client's input was revealed.
    case aborted(phase: SecAggPhase, SecAggError)
}

/// The outcome of a round: the sum of the contributors' encoded inputs in Z_2^k, and who is in it.
public struct SecAggSum: Sendable, Hashable {
    /// Σ over `contributors` of their encoded inputs, mod 2^k.
    public var ring: [UInt64]
    /// The clients whose masked input arrived (their inputs are in the sum), ascending.
    public var contributors: [Int]
    /// Clients that shared keys but sent no masked input (their pairwise masks were removed).
    public var droppedAfterSharing: [Int]

    /// The sum decoded with the layout, one array per segment.
    public func decoded(with layout: MaskLayout) -> [[Double]] { layout.decode(ring) }
}
