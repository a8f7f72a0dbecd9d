import TributaryNumerics

/// One client's contribution to a round: Δᵢ = θ_local − θ_global over the model's flat layout,
/// optionally its diagonal Fisher Fᵢ, and its example count nᵢ.
///
/// The buffers are copy-on-write arrays: building an update from received bytes and folding it
/// copies nothing.
public struct ClientUpdate: Sendable {
    public var clientID: String
    public var roundID: UInt64
    /// The registry version the client trained from.
    public var baseVersion: UInt64
    public var layout: ParameterLayout
    public var delta: [Float]
    /// Diagonal Fisher information, same length as `delta`; nil when the client sent none.
    public var fisher: [Float]?
    /// nᵢ, the number of examples the client trained on (its weight).
    public var examples: Int

    public init(
        clientID: String, roundID: UInt64, baseVersion: UInt64, layout: ParameterLayout,
        delta: [Float], fisher: [Float]? = nil, examples: Int
    ) {
        self.clientID = clientID
        self.roundID = roundID
        self.baseVersion = baseVersion
        self.layout = layout
        self.delta = delta
        self.fisher = fisher
        self.examples = examples
    }
}
