import TributaryWire

/// One connected client as the engine sees it: where to send, and what it holds.
struct ClientLink: Sendable {
    /// Tells this connection apart from a later one of the same client.
    let token: UInt64
    /// Messages for the client's writer task, in order.
    let outbox: AsyncStream<WireMessage>.Continuation
    /// The global version the client holds exactly (a release's delta applies to it); nil: none.
    var holds: UInt64?
    /// Rounds offered on this connection (its session refuses Updates for any other).
    var offered: Set<UInt64> = []

    func send(_ message: WireMessage) {
        outbox.yield(message)
    }
}
