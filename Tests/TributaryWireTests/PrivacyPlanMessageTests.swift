import Testing
@testable import TributaryWire

/// TrainingPlan.privacy (field 12, issue 16 item 2): round-trips in an offer, absent means none,
/// and a bad plan is refused naming the field and the value.
@Suite struct PrivacyPlanMessageTests {
    static let distributed = PrivacyPlanMessage(mode: .distributed, deltaClip: 0.5, fisherCap: 1, fisherClip: 10,
                                                deltaNoiseStandardDeviation: 0.3, noiseSeed: 99)

    @Test func roundTripsInAnOfferAndAbsentMeansNone() throws {
        var offer = Fixtures.roundOfferFull
        offer.plan.privacy = Self.distributed
        #expect(try FrameCodec.decode(try FrameCodec.encode(.roundOffer(offer))) == .roundOffer(offer))
        offer.plan.privacy = PrivacyPlanMessage(mode: .trustedServer, deltaClip: 2, fisherCap: 0.5, fisherClip: 3)
        #expect(try FrameCodec.decode(try FrameCodec.encode(.roundOffer(offer))) == .roundOffer(offer))
        #expect(!Fixtures.roundOfferFull.toProto().plan.hasPrivacy)
        var none = Fixtures.roundOfferFull.toProto()
        none.plan.privacy.mode = .none
        #expect(try RoundOffer(proto: none).plan.privacy == nil)
    }

    @Test func badPlansNameTheFieldAndValue() throws {
        func refused(_ change: (inout Tributary_V1_PrivacyPlan) -> Void) throws -> String {
            var proto = Fixtures.roundOfferFull.toProto()
            proto.plan.privacy = Self.distributed.toProto()
            change(&proto.plan.privacy)
            return try #require(throws: WireError.self) { _ = try RoundOffer(proto: proto) }.reason
        }
        #expect(try refused { $0.mode = .unspecified } == "RoundOffer.plan.privacy.mode is 0; it must be MODE_NONE (1), MODE_TRUSTED_SERVER (2) or MODE_DISTRIBUTED (3)")
        #expect(try refused { $0.deltaClip = 0 } == "RoundOffer.plan.privacy.delta_clip is 0.0; must be finite and > 0")
        #expect(try refused { $0.fisherCap = .infinity } == "RoundOffer.plan.privacy.fisher_cap is inf; must be finite and > 0")
        #expect(try refused { $0.deltaNoiseStd = 0 } == "RoundOffer.plan.privacy.delta_noise_std is 0.0; must be finite and > 0")
        #expect(try refused { $0.mode = .trustedServer } == "RoundOffer.plan.privacy.delta_noise_std is 0.3 in MODE_TRUSTED_SERVER; only MODE_DISTRIBUTED clients add noise")
    }
}
