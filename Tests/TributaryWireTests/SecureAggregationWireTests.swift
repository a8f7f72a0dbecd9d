import Foundation
import Testing
import TributarySecureAggregation
@testable import TributaryWire

@Suite("Secure aggregation on the wire: RoundOffer.secure_aggregation and Envelope.secure_aggregation")
struct SecureAggregationWireTests {
    static func configuration(clients: Int = 5, bits: Int = 64) throws -> SecAggConfiguration {
        let layout = try MaskLayout.sums(["weighted_delta", "weighted_fisher", "examples"], parameterCount: 3,
                                         bounds: FisherWeightedBounds(), maxClients: clients, bits: bits)
        return try SecAggConfiguration.recommended(roundID: 9, clientCount: clients, dropoutRate: 0.3, graphSeed: 77, layout: layout)
    }

    static func roundTrip(_ message: WireMessage) throws -> WireMessage {
        try FrameCodec.decode(FrameCodec.encode(message))
    }

    @Test func anOfferCarriesTheRoundsParametersAndTheClientRebuildsTheSameConfiguration() throws {
        let configuration = try Self.configuration()
        let deadlines = (1...4).map { Date(timeIntervalSince1970: Double(1_700_000_000 + $0)) }
        var offer = RoundOffer(roundID: 9, baseModelVersion: 2, model: .full(Fixtures.parameters(seed: 1)), plan: Fixtures.plan)
        offer.secureAggregation = SecureRoundParameters(configuration: configuration, clientIndex: 3, phaseDeadlines: deadlines)
        guard case .roundOffer(let decoded) = try Self.roundTrip(.roundOffer(offer)) else { Issue.record("not an offer"); return }
        #expect(decoded.secureAggregation?.configuration == configuration)
        #expect(decoded.secureAggregation?.clientIndex == 3)
        #expect(decoded.secureAggregation?.phaseDeadlines == deadlines)
    }

    @Test func parametersThatDoNotFitAreRefusedNamingTheValue() throws {
        let configuration = try Self.configuration()
        var proto = SecureRoundParameters(configuration: configuration, clientIndex: 1, phaseDeadlines: [Date(), Date(), Date(), Date()]).toProto()
        proto.segments[0].scaleLog2 += 1
        expectWireError(.invalidValue) { _ = try SecureRoundParameters(proto: proto, field: "RoundOffer.secure_aggregation") }
        proto = SecureRoundParameters(configuration: configuration, clientIndex: 1, phaseDeadlines: [Date(), Date(), Date(), Date()]).toProto()
        proto.ringBits = 16
        expectWireError(.invalidValue, "RoundOffer.secure_aggregation.ring_bits is 16; use 32 or 64") {
            _ = try SecureRoundParameters(proto: proto, field: "RoundOffer.secure_aggregation")
        }
        proto.ringBits = 64
        proto.clientIndex = 5
        expectWireError(.invalidValue, "RoundOffer.secure_aggregation.client_index is 5; the round has clients 0..<5") {
            _ = try SecureRoundParameters(proto: proto, field: "RoundOffer.secure_aggregation")
        }
    }

    @Test func everyPhaseMessageSurvivesTheWire() throws {
        let keys = AdvertisedKeys(client: 2, encryptionKey: Data(repeating: 1, count: 32), maskingKey: Data(repeating: 2, count: 32))
        let share = EncryptedShare(from: 2, to: 4, sealed: Data(repeating: 9, count: 116))
        let bodies: [SecureAggregationMessage.Body] = [
            .fromClient(.advertiseKeys(keys)),
            .toClient(.shareKeys(neighbourKeys: [keys])),
            .fromClient(.shareKeys(client: 2, shares: [share])),
            .toClient(.maskedInput(shares: [share])),
            .fromClient(.maskedInput(client: 2, vector: [0, 1, UInt64.max, 1 << 40])),
            .toClient(.unmask(selfMaskOwners: [1, 3], maskingKeyOwners: [4])),
            .fromClient(.unmask(client: 2, selfMaskShares: [SecretShare(owner: 1, holder: 2, values: [1, 2, 3, 4, 5])], maskingKeyShares: [])),
            .refusal(client: 2, code: "bothSharesRequested", reason: "client 2 refuses"),
            .abort(phase: .unmasking, code: "tooFewClients", reason: "1 of 5 answered"),
        ]
        for body in bodies {
            let message = SecureAggregationMessage(roundID: 9, body: body)
            #expect(try Self.roundTrip(.secureAggregation(message)) == .secureAggregation(message))
        }
        let narrow = SecureAggregationMessage(roundID: 9, body: .fromClient(.maskedInput(client: 1, vector: [0, 7, UInt64(UInt32.max)])), elementBytes: 4)
        #expect(try Self.roundTrip(.secureAggregation(narrow)) == .secureAggregation(narrow))
    }

    @Test func aMaskedVectorThatIsNotWholeElementsIsRefused() {
        var masked = Tributary_V1_MaskedInput()
        masked.roundID = 9
        masked.clientIndex = 1
        masked.elementBytes = 8
        masked.vector = Data(repeating: 0, count: 12)
        var message = Tributary_V1_SecAggMessage()
        message.message = .maskedInput(masked)
        var envelope = Tributary_V1_Envelope()
        envelope.protocolVersion = WireProtocol.version
        envelope.message = .secureAggregation(message)
        expectWireError(.invalidValue, "MaskedInput.vector is 12 bytes; a whole number of 8-byte elements is required") {
            _ = try FrameCodec.decode(Fixtures.frame(envelope))
        }
        masked.elementBytes = 3
        message.message = .maskedInput(masked)
        envelope.message = .secureAggregation(message)
        expectWireError(.invalidValue, "MaskedInput.element_bytes is 3; use 4 or 8") { _ = try FrameCodec.decode(Fixtures.frame(envelope)) }
    }
}
