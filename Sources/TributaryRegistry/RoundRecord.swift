import Foundation

/// A round as the journal holds it.
public struct RoundRecord: Sendable, Equatable {
    public var id: UInt64
    public var state: RoundState
    /// The live version the round's clients train from.
    public var baseVersion: UInt64?
    public var selected: [String]
    public var deadline: Date
    public var openedAt: Date
    public var updatedAt: Date
    /// The version the round committed (set when closed).
    public var resultVersion: UInt64?
    /// Why it was abandoned, when it was.
    public var reason: String
    public var updates: [AcceptedUpdate]

    public init(
        id: UInt64, state: RoundState, baseVersion: UInt64?, selected: [String], deadline: Date, openedAt: Date,
        updatedAt: Date, resultVersion: UInt64? = nil, reason: String = "", updates: [AcceptedUpdate] = []
    ) {
        self.id = id
        self.state = state
        self.baseVersion = baseVersion
        self.selected = selected
        self.deadline = deadline
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.resultVersion = resultVersion
        self.reason = reason
        self.updates = updates
    }
}
