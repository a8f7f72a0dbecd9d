import Testing
@testable import TributaryWire

/// The model's preprocessing in RoundOffer and ModelRelease (issue 12, item 5).
@Suite struct PreprocessingMessageTests {
    static let standardiser = PreprocessingMessage(
        featureCount: 64, featureNames: (0..<64).map { "pixel\($0)" }, mean: (0..<64).map { Float($0) }, std: (0..<64).map { 1 + Float($0) / 8 })

    @Test func roundTripsInOffersAndReleases() throws {
        var offer = Fixtures.roundOfferFull
        offer.preprocessing = Self.standardiser
        var release = Fixtures.initialRelease
        release.preprocessing = PreprocessingMessage(featureCount: 64)  // a schema alone, no standardiser
        for message in [WireMessage.roundOffer(offer), .modelRelease(release)] {
            #expect(try FrameCodec.decode(try FrameCodec.encode(message)) == message)
        }
    }

    @Test func absentMeansNoneAndOldMessagesStillDecode() throws {
        // A message from a coordinator that predates the field decodes with no preprocessing (identity).
        guard case .roundOffer(let offer) = try FrameCodec.decode(try FrameCodec.encode(.roundOffer(Fixtures.roundOfferFull))) else {
            Issue.record("not an offer"); return
        }
        #expect(offer.preprocessing == nil)
        #expect(!Fixtures.roundOfferFull.toProto().hasPreprocessing)
    }

    @Test func badPreprocessingNamesTheField() throws {
        func refused(_ change: (inout Tributary_V1_Preprocessing) -> Void) throws -> WireError {
            var proto = Fixtures.roundOfferFull.toProto()
            proto.preprocessing = Self.standardiser.toProto()
            change(&proto.preprocessing)
            return try #require(throws: WireError.self) { _ = try RoundOffer(proto: proto) }
        }
        #expect(try refused { $0.featureCount = 3 }.reason == "RoundOffer.preprocessing.feature_count is 3; the architecture's input_size is 64")
        #expect(try refused { $0.featureCount = 0 }.reason == "RoundOffer.preprocessing.feature_count is 0; it is required and must be > 0")
        #expect(try refused { $0.featureNames.removeLast() }.reason == "RoundOffer.preprocessing.feature_names has 63 names; must be empty or feature_count 64")
        #expect(try refused { $0.featureNames[1] = "pixel0" }.reason.hasPrefix("RoundOffer.preprocessing.feature_names ["))
        #expect(try refused { $0.std.removeLast() }.reason == "RoundOffer.preprocessing.std has 63 values; must have as many as mean (64)")
        #expect(try refused { $0.std[5] = 0 }.reason == "RoundOffer.preprocessing.std[5] is 0.0; must be finite and > 0")
        #expect(try refused { $0.mean[2] = .nan }.reason == "RoundOffer.preprocessing.mean[2] is nan; must be finite")
        var release = Fixtures.initialRelease.toProto()
        release.preprocessing = PreprocessingMessage(featureCount: 5).toProto()
        let error = try #require(throws: WireError.self) { _ = try ModelRelease(proto: release) }
        #expect(error.code == .invalidValue && error.reason == "ModelRelease.preprocessing.feature_count is 5; the architecture's input_size is 64")
    }
}
