/// The messages of the contract that lead to tensor data, and which of their fields go one step
/// further. Only these are walked by hand (``TensorDataRewriter``); every other field is copied
/// as it is. Must agree with the `init(proto:)`/`toProto()` mappings: a path missing here would
/// leave a tensor's data inline, which `RoundTripTests`/`DetachedTensorTests` catch.
enum TensorPath: Sendable {
    case envelope, roundOffer, update, modelRelease, evaluateRequest, modelPayload, fullModel, modelDelta, ewcState, parameterSet, namedTensor, tensor

    /// `Tensor.data` (`bytes data = 3`).
    static let tensorDataField: UInt32 = 3

    /// The message that field `number` holds, when it is one step towards tensor data.
    func child(_ number: UInt32) -> TensorPath? {
        switch (self, number) {
        case (.envelope, 5): .roundOffer
        case (.envelope, 6): .update
        case (.envelope, 7): .modelRelease
        case (.envelope, 14): .evaluateRequest
        case (.roundOffer, 3), (.modelRelease, 3), (.evaluateRequest, 3): .modelPayload
        case (.roundOffer, 4): .ewcState
        case (.update, 4), (.update, 5), (.fullModel, 1), (.modelDelta, 2), (.ewcState, 1), (.ewcState, 2): .parameterSet
        case (.modelPayload, 1): .fullModel
        case (.modelPayload, 2): .modelDelta
        case (.parameterSet, 1): .namedTensor
        case (.namedTensor, 2): .tensor
        default: nil
        }
    }
}
