import ArgumentParser
import Foundation
import TributaryCompression
import TributaryEdge
import TributaryWire

/// `tributary protocol`: tools for the wire contract.
struct ProtocolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol", abstract: "Wire protocol tools.", subcommands: [SampleUpdate.self])

    struct SampleUpdate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sample-update",
            abstract: "Write a framed sample Update (WireSamples.updateFrame) for foreign decoders, e.g. scripts/python-decode-check.sh.")

        @Option(help: "File to write.") var out: String
        @Option(help: "Seed of the sample.") var seed: UInt64 = 7
        @Option(help: "Encode the sample's delta: fp32, int8 or topk[:FRACTION] (as `simulate --compress`).") var compress: String = "fp32"
        @Option(help: "Encode the sample's Fisher: fp32, fp16, int8 or sqrt_int8.") var compressFisher: String = "fp32"

        func run() throws {
            let encoding = try SimulationOptions.compression(delta: compress, fisher: compressFisher)
            var update = WireSamples.update(seed: seed)
            var generator = UpdateEncoder.generator(seed: seed, roundID: update.roundID)
            var residual: ErrorFeedbackResidual?
            try UpdateEncoder(encoding: encoding).encode(&update, generator: &generator, residual: &residual)
            let frame = try FrameCodec.encode(.update(update))
            do {
                try Data(frame).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw ValidationError("--out \(out): cannot write: \(error.localizedDescription)")
            }
            print("wrote \(frame.count) bytes (Update, seed \(seed), \(encoding.summary)) to \(out)")
        }
    }
}
