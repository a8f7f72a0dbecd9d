import NIOCore
import NIOEmbedded
import Testing
@testable import TributaryWire

/// Mutated frames never crash the decoder: each either decodes to a message that re-encodes
/// stably, or throws a WireError. Decoded values are compared through their bytes (NaN ≠ NaN).
@Suite("Mutation")
struct MutationTests {
    static func corpus() throws -> [[UInt8]] {
        let small = WireConfiguration(maxFrameBytes: 256, chunkSize: 100, maxTransferBytes: 1 << 20)
        var corpus = try Fixtures.allMessages.map { try FrameCodec.encode($0) }
        corpus += try FrameCodec.encodeChunked(.update(Fixtures.update), transferID: 2, configuration: small)
        corpus.append(WireSamples.updateFrame(seed: 1))
        return corpus
    }

    @Test func hundredThousandMutatedFramesDecodeOrThrowWireError() throws {
        var mutator = Mutator(seed: 0x7472_6962_7574_6172, corpus: try Self.corpus())
        var decoded = 0
        var rejected: [String: Int] = [:]
        for iteration in 0..<100_000 {
            let input = mutator.next()
            do {
                let message = try FrameCodec.decode(input)
                decoded += 1
                let reencoded = try FrameCodec.encode(message)
                let again = try FrameCodec.encode(try FrameCodec.decode(reencoded))
                if again != reencoded {
                    Issue.record("iteration \(iteration): re-encoding is not stable for \(message.name), input \(input.prefix(64))")
                }
            } catch let error as WireError {
                rejected[error.code.description, default: 0] += 1
            } catch {
                Issue.record("iteration \(iteration): \(type(of: error)) is not a WireError: \(error); input \(input.prefix(64))")
            }
        }
        print("mutation: \(decoded) decoded and re-encoded stably; refused: \(rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        #expect(decoded + rejected.values.reduce(0, +) == 100_000)
        // The mutations reach past the length check into every layer.
        #expect(decoded > 1_000)
        for code in ["frameTooLarge", "malformedFrame", "unsupportedProtocolVersion", "unknownMessage", "tensorSizeMismatch", "missingField"] {
            #expect(rejected[code, default: 0] > 0, "no mutation was refused with \(code): \(rejected)")
        }
    }

    @Test func mutatedStreamsThroughTheChannelDecoder() throws {
        var mutator = Mutator(seed: 99, corpus: try Self.corpus())
        var rng = SplitMix64(seed: 100)
        for iteration in 0..<3_000 {
            // Two or three mutated frames back to back, delivered in random pieces.
            var stream: [UInt8] = []
            for _ in 0..<(2 + Int(rng.next() % 2)) { stream += mutator.next() }
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(try FrameDecoder()))
            var offset = 0
            var failed = false
            while offset < stream.count, !failed {
                let piece = min(stream.count - offset, 1 + Int(rng.next() % 512))
                do {
                    try channel.writeInbound(ByteBuffer(bytes: stream[offset..<offset + piece]))
                } catch is WireError {
                    failed = true
                } catch {
                    Issue.record("iteration \(iteration): \(type(of: error)) is not a WireError: \(error)")
                    failed = true
                }
                offset += piece
            }
            while let message = try channel.readInbound(as: WireMessage.self) {
                _ = try FrameCodec.encodeChunked(message, transferID: 1)
            }
            do {
                _ = try channel.finish()
            } catch is WireError {
            } catch {
                Issue.record("iteration \(iteration): finish threw \(type(of: error)): \(error)")
            }
        }
    }
}
