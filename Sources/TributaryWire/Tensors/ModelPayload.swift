/// A model's parameters, in full or as a delta against a version the receiver holds.
public enum ModelPayload: Sendable, Hashable {
    case full(ParameterSet)
    /// parameters = (model at `baseVersion`) + `delta`, tensor by tensor.
    case delta(baseVersion: UInt64, delta: ParameterSet)
}

extension ModelPayload {
    init(proto: Tributary_V1_ModelPayload, field: String, incoming: IncomingTensors? = nil) throws {
        switch proto.payload {
        case .full(let full)?:
            try require(full.hasParameters, .missingField, "\(field).full.parameters is absent; it is required")
            self = .full(try ParameterSet(proto: full.parameters, field: "\(field).full.parameters", incoming: incoming))
        case .delta(let delta)?:
            try requireNonZero(delta.baseVersion, "\(field).delta.base_version")
            try require(delta.hasDelta, .missingField, "\(field).delta.delta is absent; it is required")
            self = .delta(baseVersion: delta.baseVersion,
                          delta: try ParameterSet(proto: delta.delta, field: "\(field).delta.delta", incoming: incoming))
        case nil:
            throw WireError(.missingField, "\(field) has neither full nor delta; one is required")
        }
    }

    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_ModelPayload {
        var proto = Tributary_V1_ModelPayload()
        switch self {
        case .full(let parameters):
            var full = Tributary_V1_FullModel()
            full.parameters = parameters.toProto(outgoing: outgoing)
            proto.payload = .full(full)
        case .delta(let baseVersion, let delta):
            var message = Tributary_V1_ModelDelta()
            message.baseVersion = baseVersion
            message.delta = delta.toProto(outgoing: outgoing)
            proto.payload = .delta(message)
        }
        return proto
    }
}
