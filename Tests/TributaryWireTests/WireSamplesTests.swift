import Foundation
import Testing
import TributaryWire

@Suite("Samples for foreign decoders")
struct WireSamplesTests {
    @Test func updateFrameIsDeterministicAndDecodes() throws {
        let frame = WireSamples.updateFrame(seed: 7)
        #expect(frame == WireSamples.updateFrame(seed: 7))
        #expect(frame != WireSamples.updateFrame(seed: 8))
        guard case .update(let update) = try FrameCodec.decode(frame) else {
            Issue.record("not an Update")
            return
        }
        #expect(update == WireSamples.update(seed: 7))
        #expect(update.delta.tensors.map(\.name) == ["dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias"])
        #expect(update.delta.scalarCount == 32 * 64 + 32 + 10 * 32 + 10)
    }

    /// Writes the sample for scripts/python-decode-check.sh: to $TRIBUTARY_SAMPLE_FRAME_OUT if set,
    /// else to the temp directory.
    @Test func writesUpdateFrameFile() throws {
        let path = ProcessInfo.processInfo.environment["TRIBUTARY_SAMPLE_FRAME_OUT"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tributary-update-seed7.frame").path
        let frame = WireSamples.updateFrame(seed: 7)
        try Data(frame).write(to: URL(fileURLWithPath: path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(frame))
        print("wrote \(frame.count)-byte Update frame to \(path)")
    }
}
