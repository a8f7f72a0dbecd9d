import ArgumentParser
import Foundation
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

        func run() throws {
            let frame = WireSamples.updateFrame(seed: seed)
            do {
                try Data(frame).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw ValidationError("--out \(out): cannot write: \(error.localizedDescription)")
            }
            print("wrote \(frame.count) bytes (Update, seed \(seed)) to \(out)")
        }
    }
}
