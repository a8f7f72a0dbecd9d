/// Global online-EWC state sent with a round: Fisher diagonal F_g, anchor θ*, decay γ.
public struct EWCStateMessage: Sendable, Hashable {
    public var fisher: ParameterSet
    public var anchor: ParameterSet
    /// Online-EWC decay, in [0, 1].
    public var gamma: Float

    public init(fisher: ParameterSet, anchor: ParameterSet, gamma: Float) {
        self.fisher = fisher
        self.anchor = anchor
        self.gamma = gamma
    }

    func validate(field: String) throws {
        try require(fisher.hasSameLayout(as: anchor), .invalidValue,
                    "\(field).fisher and \(field).anchor differ in names or shapes (\(fisher.count) vs \(anchor.count) tensors)")
        try require(gamma.isFinite && gamma >= 0 && gamma <= 1, .invalidValue, "\(field).gamma is \(gamma); must be in [0, 1]")
    }
}

extension EWCStateMessage {
    init(proto: Tributary_V1_EwcState, field: String, incoming: IncomingTensors? = nil) throws {
        try require(proto.hasFisher, .missingField, "\(field).fisher is absent; it is required")
        try require(proto.hasAnchor, .missingField, "\(field).anchor is absent; it is required")
        self.init(fisher: try ParameterSet(proto: proto.fisher, field: "\(field).fisher", incoming: incoming),
                  anchor: try ParameterSet(proto: proto.anchor, field: "\(field).anchor", incoming: incoming),
                  gamma: proto.gamma)
        try validate(field: field)
    }

    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_EwcState {
        var proto = Tributary_V1_EwcState()
        proto.fisher = fisher.toProto(outgoing: outgoing)
        proto.anchor = anchor.toProto(outgoing: outgoing)
        proto.gamma = gamma
        return proto
    }
}
