/// A client whose update was folded into a round: who, with what weight, and how large.
public struct Participant: Sendable, Equatable, Hashable, Codable {
    public var clientID: String
    public var examples: Int
    public var deltaNorm: Float
}
