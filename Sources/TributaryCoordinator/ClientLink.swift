/// One connected client as the instance sees it: which session, and what it holds.
struct ClientLink: Sendable, Equatable {
    /// Tells this connection apart from a later one of the same client.
    let token: UInt64
    /// The global version the client holds exactly (a release's delta applies to it); nil: none.
    var holds: UInt64?
}
