import Foundation
import TributaryWire

/// Small limits, so that short inputs reach chunk reassembly and the size checks.
let configuration = WireConfiguration(maxFrameBytes: 4096, chunkSize: 1024, maxTransferBytes: 1 << 20)

/// Reads the input as a stream of frames, decodes each, reassembles chunks, and checks that
/// every decoded message re-encodes to bytes that decode to the same bytes again. A crash or a
/// failed `precondition` is a finding; a thrown WireError is the expected refusal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    var reassembler = ChunkReassembler(configuration: configuration)
    var offset = 0
    while offset < bytes.count {
        guard bytes.count - offset >= 4 else { return 0 }
        let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        let end = min(bytes.count, offset + 4 + length)
        let frame = Array(bytes[offset..<end])
        offset = end
        do {
            var message = try FrameCodec.decode(frame, configuration: configuration)
            if case .chunk(let chunk) = message {
                guard let whole = try reassembler.receive(chunk) else { continue }
                message = whole
            }
            let encoded = try FrameCodec.encodeChunked(message, transferID: 1, configuration: configuration)
            var again = ChunkReassembler(configuration: configuration)
            var decoded: WireMessage?
            for frame in encoded {
                let part = try FrameCodec.decode(frame, configuration: configuration)
                if case .chunk(let chunk) = part { decoded = try again.receive(chunk) } else { decoded = part }
            }
            let reencoded = try FrameCodec.encodeChunked(decoded!, transferID: 1, configuration: configuration)
            precondition(reencoded == encoded, "re-encoding \(message.name) is not stable")
        } catch is WireError {
            // The expected refusal.
        } catch {
            preconditionFailure("\(type(of: error)) is not a WireError: \(error)")
        }
    }
    return 0
}

/// If TRIBUTARY_FUZZ_SEEDS names a folder, writes seed frames of every message kind into it
/// before fuzzing starts (libFuzzer calls this once, before it reads the corpus).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let folder = ProcessInfo.processInfo.environment["TRIBUTARY_FUZZ_SEEDS"] else { return 0 }
    var rng = SplitMix64(seed: 1)
    let small = try! ParameterSet([
        NamedTensor(name: "dense1.weight", tensor: WireSamples.tensor(shape: [3, 2], scale: 1, using: &rng)),
        NamedTensor(name: "dense1.bias", tensor: WireSamples.tensor(shape: [3], scale: 1, using: &rng)),
    ])
    let plan = TrainingPlan(epochs: 1, batchSize: 8, learningRate: 0.1, ewcLambda: 1, fedProxMu: 0.01, replaySize: 4,
                            deadlineUnixMilliseconds: 1_800_000_000_000)
    let messages: [WireMessage] = [
        .hello(Hello(clientID: "edge-1", capabilities: Capabilities(features: ["model-delta"]),
                     device: DeviceFacts(examplesAvailable: 10, charging: true, meteredNetwork: false, modelVersion: 2))),
        .welcome(Welcome(sessionID: "s1", globalModelVersion: 2, heartbeatIntervalMilliseconds: 1000)),
        .reject(Reject(code: .overloaded, reason: "busy")),
        .roundOffer(RoundOffer(roundID: 1, baseModelVersion: 3, model: .delta(baseVersion: 2, delta: small),
                               ewc: EWCState(fisher: small, anchor: small, gamma: 0.5), plan: plan)),
        .update(Update(roundID: 1, baseModelVersion: 3, numExamples: 5, delta: small, fisher: small, metrics: ["loss": 0.5])),
        .modelRelease(ModelRelease(version: 4, parentVersion: 3, model: .full(small))),
        .heartbeat(Heartbeat(sequence: 1, unixMilliseconds: 5)),
        .error(ErrorMessage(code: .malformedFrame, message: "x")),
        .goodbye(Goodbye(reason: .done)),
    ]
    var seeds = messages.map { try! FrameCodec.encode($0, configuration: configuration) }
    seeds.append(WireSamples.updateFrame(seed: 1))  // over the 4 KiB fuzz frame limit: a frameTooLarge seed
    seeds.append(try! FrameCodec.encodeChunked(.update(WireSamples.update(seed: 2)), transferID: 9, configuration: configuration).flatMap { $0 })
    for (index, seed) in seeds.enumerated() where !seed.isEmpty {
        _ = FileManager.default.createFile(atPath: "\(folder)/seed-\(index)", contents: Data(seed))
    }
    return 0
}
