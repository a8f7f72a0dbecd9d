/// Any message of the contract: what one frame (one `Envelope`) carries.
public enum WireMessage: Sendable, Hashable {
    case hello(Hello)
    case welcome(Welcome)
    case reject(Reject)
    case roundOffer(RoundOffer)
    case update(Update)
    case modelRelease(ModelRelease)
    case heartbeat(Heartbeat)
    case error(ErrorMessage)
    case goodbye(Goodbye)
    /// A slice of a larger message; feed it to a ``ChunkReassembler``.
    case chunk(PayloadChunk)
    /// Client → coordinator: new facts / a trigger fired.
    case ready(Ready)
    /// Coordinator → client: the fate of an Update.
    case updateReceipt(UpdateReceipt)
    /// Coordinator → client: evaluate a candidate on the local held-out set.
    case evaluateRequest(EvaluateRequest)
    /// Client → coordinator: per-class correct/total counts of that evaluation.
    case evaluateResult(EvaluateResult)
    /// Either way, in a secure round: one phase of secure aggregation.
    case secureAggregation(SecureAggregationMessage)

    /// The message's name in the contract, for logs and errors.
    public var name: String {
        switch self {
        case .hello: "Hello"
        case .welcome: "Welcome"
        case .reject: "Reject"
        case .roundOffer: "RoundOffer"
        case .update: "Update"
        case .modelRelease: "ModelRelease"
        case .heartbeat: "Heartbeat"
        case .error: "Error"
        case .goodbye: "Goodbye"
        case .chunk: "PayloadChunk"
        case .ready: "Ready"
        case .updateReceipt: "UpdateReceipt"
        case .evaluateRequest: "EvaluateRequest"
        case .evaluateResult: "EvaluateResult"
        case .secureAggregation(let m): m.phaseName
        }
    }

    /// Checks the message as its receiver would, so that we never send what a peer must refuse.
    public func validate() throws {
        switch self {
        case .hello(let m): try m.validate()
        case .welcome(let m): try m.validate()
        case .reject(let m): try m.validate()
        case .roundOffer(let m): try m.validate()
        case .update(let m): try m.validate()
        case .modelRelease(let m): try m.validate()
        case .heartbeat(let m): try m.validate()
        case .error(let m): try m.validate()
        case .goodbye: break
        case .chunk(let m): try m.validate()
        case .ready(let m): try m.validate()
        case .updateReceipt(let m): try m.validate()
        case .evaluateRequest(let m): try m.validate()
        case .evaluateResult(let m): try m.validate()
        case .secureAggregation(let m): try m.validate()
        }
    }
}

extension WireMessage {
    /// Maps and validates a decoded Envelope. The protocol version is checked by the caller.
    /// With `incoming`, tensor data are markers for bytes kept apart (see ``TensorDataRewriter``).
    init(envelope: Tributary_V1_Envelope, incoming: IncomingTensors? = nil) throws {
        switch envelope.message {
        case .hello(let m)?: self = .hello(try Hello(proto: m))
        case .welcome(let m)?: self = .welcome(try Welcome(proto: m))
        case .reject(let m)?: self = .reject(try Reject(proto: m))
        case .roundOffer(let m)?: self = .roundOffer(try RoundOffer(proto: m, incoming: incoming))
        case .update(let m)?: self = .update(try Update(proto: m, incoming: incoming))
        case .modelRelease(let m)?: self = .modelRelease(try ModelRelease(proto: m, incoming: incoming))
        case .heartbeat(let m)?: self = .heartbeat(try Heartbeat(proto: m))
        case .error(let m)?: self = .error(try ErrorMessage(proto: m))
        case .goodbye(let m)?: self = .goodbye(Goodbye(proto: m))
        case .chunk(let m)?: self = .chunk(try PayloadChunk(proto: m))
        case .ready(let m)?: self = .ready(try Ready(proto: m))
        case .updateReceipt(let m)?: self = .updateReceipt(try UpdateReceipt(proto: m))
        case .evaluateRequest(let m)?: self = .evaluateRequest(try EvaluateRequest(proto: m, incoming: incoming))
        case .evaluateResult(let m)?: self = .evaluateResult(try EvaluateResult(proto: m))
        case .secureAggregation(let m)?: self = .secureAggregation(try SecureAggregationMessage(proto: m))
        case nil:
            let unknown = envelope.unknownFields.data.count
            throw WireError(.unknownMessage,
                            "Envelope carries no message known to protocol v\(WireProtocol.version) (\(unknown) bytes of unknown fields)")
        }
    }

    /// With `outgoing`, tensor data are markers for scalars written later, straight into frames.
    func toEnvelope(outgoing: OutgoingTensors? = nil) -> Tributary_V1_Envelope {
        var envelope = Tributary_V1_Envelope()
        envelope.protocolVersion = WireProtocol.version
        switch self {
        case .hello(let m): envelope.message = .hello(m.toProto())
        case .welcome(let m): envelope.message = .welcome(m.toProto())
        case .reject(let m): envelope.message = .reject(m.toProto())
        case .roundOffer(let m): envelope.message = .roundOffer(m.toProto(outgoing: outgoing))
        case .update(let m): envelope.message = .update(m.toProto(outgoing: outgoing))
        case .modelRelease(let m): envelope.message = .modelRelease(m.toProto(outgoing: outgoing))
        case .heartbeat(let m): envelope.message = .heartbeat(m.toProto())
        case .error(let m): envelope.message = .error(m.toProto())
        case .goodbye(let m): envelope.message = .goodbye(m.toProto())
        case .chunk(let m): envelope.message = .chunk(m.toProto())
        case .ready(let m): envelope.message = .ready(m.toProto())
        case .updateReceipt(let m): envelope.message = .updateReceipt(m.toProto())
        case .evaluateRequest(let m): envelope.message = .evaluateRequest(m.toProto(outgoing: outgoing))
        case .evaluateResult(let m): envelope.message = .evaluateResult(m.toProto())
        case .secureAggregation(let m): envelope.message = .secureAggregation(m.toProto())
        }
        return envelope
    }
}
