import Testing
@testable import TributaryWire

/// The live accuracy a client reports in Hello and Ready: counts only, checked on decode.
@Suite struct DeviceFactsTests {
    static func facts(outcomes: UInt64, correct: UInt64) -> DeviceFacts {
        DeviceFacts(examplesAvailable: 120, charging: true, meteredNetwork: false, modelVersion: 7, liveOutcomes: outcomes, liveCorrect: correct)
    }

    @Test func liveCountsRoundTripInHelloAndReady() throws {
        let hello = WireMessage.hello(Hello(clientID: "gw-1", device: Self.facts(outcomes: 86, correct: 20)))
        let ready = WireMessage.ready(Ready(device: Self.facts(outcomes: 86, correct: 20), trigger: "volume"))
        for message in [hello, ready] {
            #expect(try FrameCodec.decode(try FrameCodec.encode(message)) == message)
        }
        // An older client sends neither field: no outcomes yet.
        var proto = Self.facts(outcomes: 0, correct: 0).toProto()
        proto.examplesAvailable = 3
        #expect(try proto.serializedBytes() as [UInt8] == [8, 3, 16, 1, 32, 7])
        #expect(DeviceFacts(proto: proto).liveOutcomes == 0 && DeviceFacts(proto: proto).liveCorrect == 0)
    }

    @Test func moreRightThanOutcomesIsRefusedNamingBoth() throws {
        expectWireError(.invalidValue, "Ready.device.live_correct is 9, more than live_outcomes 4") {
            _ = try Ready(proto: Ready(device: Self.facts(outcomes: 4, correct: 9), trigger: "volume").toProto())
        }
        expectWireError(.invalidValue, "Hello.device.live_correct is 2, more than live_outcomes 1") {
            _ = try FrameCodec.decode(try FrameCodec.encode(.hello(Hello(clientID: "gw-1", device: Self.facts(outcomes: 1, correct: 2)))))
        }
    }
}
