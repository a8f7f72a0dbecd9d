import Testing
@testable import TributaryWire

@Suite struct ArchitectureTests {
    @Test func roundTripsInOffersAndReleases() throws {
        for message in [WireMessage.roundOffer(Fixtures.roundOfferFull), .modelRelease(Fixtures.initialRelease)] {
            let decoded = try FrameCodec.decode(try FrameCodec.encode(message))
            #expect(decoded == message)
        }
        guard case .roundOffer(let offer) = try FrameCodec.decode(try FrameCodec.encode(.roundOffer(Fixtures.roundOfferFull))) else {
            Issue.record("not an offer"); return
        }
        #expect(offer.architecture?.layers.map(\.activation) == [.tanh, .identity])
    }

    @Test func badArchitecturesNameTheField() throws {
        var proto = Fixtures.architecture.toProto()
        proto.layers[1].activation = .unspecified
        expectWireError(.invalidValue, "RoundOffer.architecture.layers[1].activation is 0; must be one of 1 (identity), 2 (relu), 3 (tanh), 4 (sigmoid)") {
            _ = try ModelArchitecture(proto: proto, field: "RoundOffer.architecture")
        }
        proto = Fixtures.architecture.toProto()
        proto.inputSize = 0
        expectWireError(.invalidValue, "RoundOffer.architecture.input_size is 0; must be > 0") {
            _ = try ModelArchitecture(proto: proto, field: "RoundOffer.architecture")
        }
        proto = Fixtures.architecture.toProto()
        proto.loss = .unspecified
        expectWireError(.invalidValue, "RoundOffer.architecture.loss is 0; must be one of 1 (softmax cross-entropy), 2 (binary cross-entropy), 3 (mean squared error)") {
            _ = try ModelArchitecture(proto: proto, field: "RoundOffer.architecture")
        }
        proto.layers = []
        proto.loss = .meanSquaredError
        expectWireError(.missingField, "RoundOffer.architecture.layers is empty; at least one layer is required") {
            _ = try ModelArchitecture(proto: proto, field: "RoundOffer.architecture")
        }
    }
}
