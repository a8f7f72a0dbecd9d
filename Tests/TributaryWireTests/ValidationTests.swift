import Foundation
import Testing
@testable import TributaryWire

/// Each check the mappings make, through the full decode path, with its code and exact text.
@Suite("Validation")
struct ValidationTests {
    func decode(_ envelope: Tributary_V1_Envelope) throws {
        _ = try FrameCodec.decode(Fixtures.frame(envelope))
    }

    func updateEnvelope(_ edit: (inout Tributary_V1_Update) -> Void) -> Tributary_V1_Envelope {
        var envelope = Fixtures.envelope(.update(Fixtures.update))
        guard case .update(var update)? = envelope.message else { fatalError() }
        edit(&update)
        envelope.message = .update(update)
        return envelope
    }

    func offerEnvelope(_ edit: (inout Tributary_V1_RoundOffer) -> Void) -> Tributary_V1_Envelope {
        var envelope = Fixtures.envelope(.roundOffer(Fixtures.roundOfferFull))
        guard case .roundOffer(var offer)? = envelope.message else { fatalError() }
        edit(&offer)
        envelope.message = .roundOffer(offer)
        return envelope
    }

    // MARK: tensors

    @Test func tensorByteCountMustMatchShape() {
        expectWireError(.tensorSizeMismatch,
                        #"Update.delta.tensors[0].tensor ("dense1.weight").data has 44 bytes but shape [4, 3] of FLOAT32 needs 48"#) {
            try decode(updateEnvelope { $0.delta.tensors[0].tensor.data.removeLast(4) })
        }
    }

    @Test func unknownDTypeIsNamed() {
        expectWireError(.unknownDType,
                        #"Update.delta.tensors[1].tensor ("dense1.bias").dtype is 9, not a DType of protocol v1 (1 = FLOAT32, 2 = FLOAT16, 3 = INT8)"#) {
            try decode(updateEnvelope { $0.delta.tensors[1].tensor.dtype = .UNRECOGNIZED(9) })
        }
    }

    @Test func unspecifiedDTypeIsMissing() {
        expectWireError(.missingField,
                        #"Update.fisher.tensors[0].tensor ("dense1.weight").dtype is DTYPE_UNSPECIFIED; a tensor must name its dtype"#) {
            try decode(updateEnvelope { $0.fisher.tensors[0].tensor.dtype = .unspecified })
        }
    }

    @Test func reservedDTypesAreNotAcceptedYet() {
        expectWireError(.unsupportedDType,
                        #"Update.delta.tensors[0].tensor ("dense1.weight").dtype is FLOAT16, reserved in protocol v1 but not accepted yet; send FLOAT32"#) {
            try decode(updateEnvelope { $0.delta.tensors[0].tensor.dtype = .float16 })
        }
        expectWireError(.unsupportedDType) {
            try decode(updateEnvelope { $0.delta.tensors[0].tensor.dtype = .int8 })
        }
    }

    @Test func shapeWhoseElementCountOverflows() {
        expectWireError(.shapeOverflow,
                        #"Update.delta.tensors[0].tensor ("dense1.weight").shape [18446744073709551615, 2] has more than 9223372036854775807 elements"#) {
            try decode(updateEnvelope { $0.delta.tensors[0].tensor.shape = [UInt64.max, 2] })
        }
    }

    @Test func shapeWhoseByteCountOverflows() {
        expectWireError(.shapeOverflow,
                        #"Update.delta.tensors[0].tensor ("dense1.weight").shape [4611686018427387904] of FLOAT32 needs more than 9223372036854775807 bytes"#) {
            try decode(updateEnvelope { $0.delta.tensors[0].tensor.shape = [1 << 62] })
        }
    }

    @Test func tooManyDimensions() {
        expectWireError(.invalidValue,
                        #"Update.delta.tensors[0].tensor ("dense1.weight").shape has 33 dimensions; at most 32 allowed"#) {
            try decode(updateEnvelope { $0.delta.tensors[0].tensor.shape = Array(repeating: 1, count: 33) })
        }
    }

    @Test func scaleOnlyForInt8() {
        expectWireError(.invalidValue, #"Update.delta.tensors[0].tensor ("dense1.weight").scale is 0.5; it must be 0 unless dtype is INT8"#) {
            try decode(updateEnvelope { $0.delta.tensors[0].tensor.scale = 0.5 })
        }
    }

    @Test func namesAreRequiredUniqueAndBounded() {
        expectWireError(.invalidValue, #"Update.delta.tensors[1].name "dense1.weight" appears twice; names must be unique"#) {
            try decode(updateEnvelope { $0.delta.tensors[1].name = "dense1.weight" })
        }
        expectWireError(.missingField, "Update.delta.tensors[2].name is empty; it is required") {
            try decode(updateEnvelope { $0.delta.tensors[2].name = "" })
        }
        expectWireError(.invalidValue) {
            try decode(updateEnvelope { $0.delta.tensors[2].name = String(repeating: "x", count: 257) })
        }
        expectWireError(.missingField, #"Update.delta.tensors[3].tensor ("empty") is absent; it is required"#) {
            try decode(updateEnvelope { $0.delta.tensors[3].clearTensor() })
        }
    }

    @Test func domainTensorInitChecksItsShape() {
        expectWireError(.tensorSizeMismatch, "Tensor has 5 scalars but shape [2, 3] needs 6") {
            _ = try Tensor(validatingShape: [2, 3], scalars: [1, 2, 3, 4, 5])
        }
        expectWireError(.invalidValue, "Tensor.shape[1] is -3; dimensions must be >= 0") {
            _ = try Tensor(validatingShape: [2, -3], scalars: [])
        }
        expectWireError(.shapeOverflow) {
            _ = try Tensor(validatingShape: [Int.max, 2], scalars: [])
        }
        expectWireError(.missingField, "NamedTensor.name is empty; it is required") {
            _ = try NamedTensor(name: "", tensor: Tensor([1]))
        }
        expectWireError(.invalidValue, #"ParameterSet.tensors[1].name "a" appears twice; names must be unique"#) {
            _ = try ParameterSet([NamedTensor(name: "a", tensor: Tensor([1])), NamedTensor(name: "a", tensor: Tensor([2]))])
        }
    }

    // MARK: messages

    @Test func updateChecks() {
        expectWireError(.missingField, "Update.num_examples is 0; it is required and must be > 0") {
            try decode(updateEnvelope { $0.numExamples = 0 })
        }
        expectWireError(.missingField, "Update.round_id is 0; it is required and must be > 0") {
            try decode(updateEnvelope { $0.roundID = 0 })
        }
        expectWireError(.missingField, "Update.base_model_version is 0; it is required and must be > 0") {
            try decode(updateEnvelope { $0.baseModelVersion = 0 })
        }
        expectWireError(.missingField, "Update.delta is absent; it is required") {
            try decode(updateEnvelope { $0.clearDelta() })
        }
        expectWireError(.missingField, "Update.delta has no tensors; it is required") {
            try decode(updateEnvelope { $0.delta.tensors = [] })
        }
        expectWireError(.invalidValue,
                        "Update.fisher differs from Update.delta in names or shapes ([dense1.weight[4, 3], dense1.bias[4], scalar[]] vs [dense1.weight[4, 3], dense1.bias[4], scalar[], empty[0, 5]])") {
            try decode(updateEnvelope { $0.fisher.tensors.removeLast() })
        }
    }

    @Test func roundOfferChecks() {
        expectWireError(.missingField, "RoundOffer.plan is absent; it is required") {
            try decode(offerEnvelope { $0.clearPlan() })
        }
        expectWireError(.missingField, "RoundOffer.model is absent; it is required") {
            try decode(offerEnvelope { $0.clearModel() })
        }
        expectWireError(.missingField, "RoundOffer.model has neither full nor delta; one is required") {
            try decode(offerEnvelope { $0.model.payload = nil })
        }
        expectWireError(.missingField, "RoundOffer.model.delta.base_version is 0; it is required and must be > 0") {
            try decode(offerEnvelope { $0.model.payload = .delta(Tributary_V1_ModelDelta()) })
        }
        expectWireError(.invalidValue, "RoundOffer.model.delta.base_version is 9; must be older than base_model_version 9") {
            try decode(offerEnvelope {
                var delta = Tributary_V1_ModelDelta()
                delta.baseVersion = 9
                delta.delta = Fixtures.parameters(seed: 1).toProto()
                $0.model.payload = .delta(delta)
            })
        }
        expectWireError(.invalidValue, "RoundOffer.plan.learning_rate is nan; must be finite and > 0") {
            try decode(offerEnvelope { $0.plan.learningRate = .nan })
        }
        expectWireError(.invalidValue, "RoundOffer.plan.ewc_lambda is -1.0; must be finite and >= 0") {
            try decode(offerEnvelope { $0.plan.ewcLambda = -1 })
        }
        expectWireError(.missingField, "RoundOffer.plan.batch_size is 0; it is required and must be > 0") {
            try decode(offerEnvelope { $0.plan.batchSize = 0 })
        }
        expectWireError(.missingField, "RoundOffer.plan.deadline_unix_ms is 0; it is required and must be > 0") {
            try decode(offerEnvelope { $0.plan.deadlineUnixMs = 0 })
        }
        expectWireError(.invalidValue, "RoundOffer.ewc.gamma is 1.5; must be in [0, 1]") {
            try decode(offerEnvelope { $0.ewc.gamma = 1.5 })
        }
        expectWireError(.invalidValue, "RoundOffer.ewc.fisher and RoundOffer.ewc.anchor differ in names or shapes (4 vs 3 tensors)") {
            try decode(offerEnvelope { $0.ewc.anchor.tensors.removeLast() })
        }
        expectWireError(.missingField, "RoundOffer.ewc.anchor is absent; it is required") {
            try decode(offerEnvelope { $0.ewc.clearAnchor() })
        }
    }

    @Test func sessionMessageChecks() {
        var hello = Fixtures.hello.toProto()
        hello.capabilities.tensorCodecs = [.float16]
        expectWireError(.invalidValue, "Hello.capabilities.tensor_codecs is [FLOAT16]; it must include FLOAT32") {
            try decode(Fixtures.envelope(.hello(Fixtures.hello)).with { $0.message = .hello(hello) })
        }
        hello = Fixtures.hello.toProto()
        hello.clientID = ""
        expectWireError(.missingField, "Hello.client_id is empty; it is required") {
            try decode(Fixtures.envelope(.hello(Fixtures.hello)).with { $0.message = .hello(hello) })
        }
        hello.clientID = String(repeating: "é", count: 200)
        expectWireError(.invalidValue) {
            try decode(Fixtures.envelope(.hello(Fixtures.hello)).with { $0.message = .hello(hello) })
        }
        hello = Fixtures.hello.toProto()
        hello.clearDevice()
        expectWireError(.missingField, "Hello.device is absent; it is required") {
            try decode(Fixtures.envelope(.hello(Fixtures.hello)).with { $0.message = .hello(hello) })
        }
        expectWireError(.missingField, "Welcome.heartbeat_interval_ms is 0; it is required and must be > 0") {
            _ = try FrameCodec.encode(.welcome(Welcome(sessionID: "s", globalModelVersion: 0, heartbeatIntervalMilliseconds: 0)))
        }
        expectWireError(.missingField, "Reject.code is 0; it is required and must be > 0") {
            _ = try FrameCodec.encode(.reject(Reject(code: .init(rawValue: 0), reason: "")))
        }
        expectWireError(.missingField, "Heartbeat.sequence is 0; it is required and must be > 0") {
            _ = try FrameCodec.encode(.heartbeat(Heartbeat(sequence: 0, unixMilliseconds: 0)))
        }
        expectWireError(.invalidValue, "ModelRelease.version is 9; must be greater than parent_version 9") {
            _ = try FrameCodec.encode(.modelRelease(ModelRelease(version: 9, parentVersion: 9, model: .full(Fixtures.parameters(seed: 1)))))
        }
        expectWireError(.invalidValue, "PayloadChunk.index is 3; must be < total 3") {
            _ = try FrameCodec.encode(.chunk(PayloadChunk(transferID: 1, index: 3, total: 3, totalBytes: 9, data: [1])))
        }
    }

    @Test func configurationIsCheckedOnce() {
        expectWireError(.invalidValue,
                        "WireConfiguration.chunkSize is 4194304; must be > 0 and leave 64 bytes of maxFrameBytes 4194304 for the chunk's envelope") {
            _ = try FrameDecoder(configuration: WireConfiguration(maxFrameBytes: 4 << 20, chunkSize: 4 << 20))
        }
        expectWireError(.invalidValue) {
            _ = try FrameEncoder(configuration: WireConfiguration(maxFrameBytes: 1 << 20, maxTransferBytes: 1000))
        }
    }

    @Test func wireErrorsMapToErrorFrameCodes() {
        #expect(WireError(.frameTooLarge, "x").errorMessage == ErrorMessage(code: .frameTooLarge, message: "x"))
        #expect(WireError.Code.tensorSizeMismatch.errorMessageCode == .invalidMessage)
        #expect(WireError.Code.unsupportedProtocolVersion.errorMessageCode == .unsupportedProtocolVersion)
        #expect(WireError.Code.outOfSequence.errorMessageCode == .outOfSequence)
        #expect(WireError.Code.transferTooLarge.errorMessageCode == .transferTooLarge)
        #expect("\(WireError(.malformedFrame, "bad"))" == "WireError.malformedFrame: bad")
    }
}

extension Tributary_V1_Envelope {
    func with(_ edit: (inout Self) -> Void) -> Self {
        var copy = self
        edit(&copy)
        return copy
    }
}
