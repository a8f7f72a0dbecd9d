// Wire benchmarks: tensor encode/decode time and wire bytes per payload byte.
// Run: swift run -c release TributaryWireBench
import Foundation
import TributaryWire

let clock = ContinuousClock()

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
}

/// Median and minimum over `runs` of `body`, in ms.
func measure(_ runs: Int, _ body: () throws -> Void) rethrows -> (median: Double, min: Double) {
    var times: [Double] = []
    for _ in 0..<runs { times.append(milliseconds(try clock.measure(body))) }
    times.sort()
    return (times[times.count / 2], times[0])
}

func model(scalars: Int, seed: UInt64) throws -> ParameterSet {
    var rng = SplitMix64(seed: seed)
    return try ParameterSet([NamedTensor(name: "dense1.weight",
                                         tensor: WireSamples.tensor(shape: [scalars], scale: 1, using: &rng))])
}

func update(_ delta: ParameterSet) -> WireMessage {
    .update(Update(roundID: 1, baseModelVersion: 1, numExamples: 100, delta: delta))
}

func fmt(_ value: Double, _ digits: Int = 3) -> String {
    String(format: "%.\(digits)f", value)
}

let runs = 50
let oneMillion = try model(scalars: 1_000_000, seed: 1)
let message = update(oneMillion)
var frame: [UInt8] = []
let encode = try measure(runs) { frame = try FrameCodec.encode(message, configuration: WireConfiguration(maxFrameBytes: 8 << 20)) }
var decoded: WireMessage?
let decode = try measure(runs) { decoded = try FrameCodec.decode(frame, configuration: WireConfiguration(maxFrameBytes: 8 << 20)) }
precondition(decoded == message, "round trip changed the message")
print("1M-float tensor in an Update frame (\(frame.count) bytes), \(runs) runs:")
print("  encode (validate, map, serialize, frame): median \(fmt(encode.median)) ms, min \(fmt(encode.min)) ms")
print("  decode (parse, validate, map):            median \(fmt(decode.median)) ms, min \(fmt(decode.min)) ms")

for (label, bytes) in [("1 MB", 1 << 20), ("64 MB", 64 << 20)] {
    let payload = try model(scalars: bytes / 4, seed: 2)
    let frames = try FrameCodec.encodeChunked(update(payload), transferID: 7)
    let wire = frames.reduce(0) { $0 + $1.count }
    print("\(label) float32 payload: \(frames.count) frame(s), \(wire) wire bytes for \(bytes) payload bytes = \(fmt(Double(wire) / Double(bytes), 6)) wire bytes per payload byte")
}
