import Foundation
import Testing
@testable import TributaryWire

/// TrainingPlan.encoding (11) and Update.compressed_delta / compressed_fisher (7, 8): round trips
/// through a frame, and each refusal with its code and exact text.
@Suite struct UpdateEncodingTests {
    let validation = ValidationTests()

    @Test func anEncodedPlanAndACompressedUpdateSurviveAFrame() throws {
        var offer = Fixtures.roundOfferFull
        let encoding = UpdateEncoding(delta: .topk, fisher: .sqrtInt8, blockSize: 128, topKFraction: 0.05)
        offer.plan.encoding = encoding
        guard case .roundOffer(let decoded) = try FrameCodec.decode(try FrameCodec.encode(.roundOffer(offer))) else {
            Issue.record("not an offer"); return
        }
        #expect(decoded.plan.encoding == encoding)
        // An absent encoding stays absent (an older coordinator's offer is byte for byte what it was).
        offer.plan.encoding = nil
        guard case .roundOffer(let plain) = try FrameCodec.decode(try FrameCodec.encode(.roundOffer(offer))) else { return }
        #expect(plain.plan.encoding == nil)

        var update = Fixtures.update
        update.delta = try ParameterSet([])
        update.fisher = nil
        update.compressedDelta = [0x54, 0x43, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0]
        update.compressedFisher = [0x54, 0x43, 2, 1, 0, 0, 0, 0]
        guard case .update(let back) = try FrameCodec.decode(try FrameCodec.encode(.update(update))) else { return }
        #expect(back == update)
    }

    @Test func refusals() {
        expectWireError(.invalidValue, "RoundOffer.plan.encoding.delta is 7, a codec this version does not know (0 FP32, 1 INT8, 2 TOPK)") {
            try validation.decode(validation.offerEnvelope { $0.plan.encoding.delta = .UNRECOGNIZED(7) })
        }
        expectWireError(.invalidValue, "RoundOffer.plan.encoding.fisher is 9, a codec this version does not know (0 FP32, 1 FP16, 2 INT8, 3 SQRT_INT8)") {
            try validation.decode(validation.offerEnvelope { $0.plan.encoding.fisher = .UNRECOGNIZED(9) })
        }
        expectWireError(.invalidValue, "RoundOffer.plan.encoding.block_size is 0; an int8 codec needs 1 ... 1048576") {
            try validation.decode(validation.offerEnvelope { $0.plan.encoding.delta = .int8 })
        }
        expectWireError(.invalidValue, "RoundOffer.plan.encoding.top_k_fraction is 1.5; DELTA_CODEC_TOPK needs a fraction in (0, 1]") {
            try validation.decode(validation.offerEnvelope {
                $0.plan.encoding.delta = .topk
                $0.plan.encoding.topKFraction = 1.5
            })
        }
        expectWireError(.invalidValue, "Update.delta has 4 tensors beside compressed_delta; the delta is sent once, in one of them") {
            try validation.decode(validation.updateEnvelope { $0.compressedDelta = Data([1]) })
        }
        expectWireError(.invalidValue, "Update.fisher is present beside compressed_fisher; the Fisher is sent once, in one of them") {
            try validation.decode(validation.updateEnvelope { $0.compressedFisher = Data([1]) })
        }
        // A compressed delta alone is a complete delta: no ParameterSet needed.
        #expect(throws: Never.self) {
            try validation.decode(validation.updateEnvelope {
                $0.clearDelta()
                $0.clearFisher()
                $0.compressedDelta = Data([1])
            })
        }
    }
}
