import Testing
import TributaryCompression
import TributaryNumerics

/// Every payload a peer could send: truncated at every length, a wrong header, bad fields.
@Suite struct PayloadDecodingTests {
    static func payloads() throws -> [(name: String, bytes: [UInt8], decode: ([UInt8]) throws -> Void)] {
        var generator = SeededGenerator(seed: 1)
        let values = Int8QuantizerTests.vector(300, seed: 2)
        let int8 = try Int8Quantizer(blockSize: 64).encode(values, generator: &generator)
        var residual = ErrorFeedbackResidual(count: values.count)
        let sparse = try TopKSparsifier(fraction: 0.1).encode(values, residual: &residual)
        return [
            ("int8Blocks", int8.serialized, { _ = try Int8Blocks(serialized: $0) }),
            ("int8SquareRootBlocks", try Int8Quantizer(companding: .squareRoot).encode(values.map { $0 * $0 }, generator: &generator).serialized,
             { _ = try Int8Blocks(serialized: $0, companding: .squareRoot) }),
            ("float16", try Float16Vector(encoding: values).serialized, { _ = try Float16Vector(serialized: $0) }),
            ("sparse", sparse.serialized, { _ = try SparseVector(serialized: $0) }),
            ("float32", residual.serialized, { _ = try ErrorFeedbackResidual(serialized: $0) }),
        ]
    }

    @Test func everyTruncationIsRefusedAndTrailingBytesToo() throws {
        for payload in try Self.payloads() {
            try payload.decode(payload.bytes)
            for length in 0..<payload.bytes.count {
                #expect(throws: CompressionError.self, "\(payload.name) cut to \(length) bytes") { try payload.decode(Array(payload.bytes.prefix(length))) }
            }
            do {
                try payload.decode(payload.bytes + [0])
                Issue.record("\(payload.name) with a trailing byte was accepted")
            } catch let error as CompressionError {
                #expect(error.code == .trailingBytes)
            }
        }
    }

    @Test func aPayloadOfAnotherFormatIsRefusedByName() throws {
        let payloads = try Self.payloads()
        do {
            _ = try Int8Blocks(serialized: payloads[2].bytes)
            Issue.record("fp16 read as int8")
        } catch let error as CompressionError {
            #expect(error.code == .wrongFormat)
            #expect(error.reason == "payload is format 2 (float16); expected 1 (int8Blocks)")
        }
        var wrongVersion = payloads[0].bytes
        wrongVersion[3] = 9
        #expect(throws: CompressionError(.wrongFormat, "")) { try Int8Blocks(serialized: wrongVersion) }
    }

    @Test func badFieldsAreRefused() throws {
        let payloads = try Self.payloads()
        var minus128 = payloads[0].bytes
        minus128[minus128.count - 1] = 0x80
        do {
            _ = try Int8Blocks(serialized: minus128)
            Issue.record("−128 accepted")
        } catch let error as CompressionError {
            #expect(error.reason == "int8Blocks payload: value[299] is −128; values lie in −127 … 127")
        }
        var negativeScale = payloads[0].bytes
        negativeScale[12 + 3] |= 0x80  // sign bit of scale[0]
        #expect(throws: CompressionError(.invalidField, "")) { try Int8Blocks(serialized: negativeScale) }
        // A sparse payload whose k is above its count, and one whose index runs past the count.
        let bigK: [UInt8] = [0x54, 0x43, 3, 1, 2, 0, 0, 0, 3, 0, 0, 0]
        #expect(throws: CompressionError(.invalidField, "")) { try SparseVector(serialized: bigK) }
        let pastEnd: [UInt8] = [0x54, 0x43, 3, 1, 2, 0, 0, 0, 1, 0, 0, 0, 5] + [0, 0, 128, 63]
        do {
            _ = try SparseVector(serialized: pastEnd)
            Issue.record("index 5 of 2 accepted")
        } catch let error as CompressionError {
            #expect(error.reason == "sparse payload: index[0] is 5, not below the element count 2")
        }
        let fp16Infinity: [UInt8] = [0x54, 0x43, 2, 1, 1, 0, 0, 0, 0x00, 0x7C]
        #expect(throws: CompressionError(.invalidField, "")) { try Float16Vector(serialized: fp16Infinity) }
    }

    @Test func corruptedPayloadsThrowCompressionErrorsAndNeverTrap() throws {
        // 2,000 seeded corruptions of each valid payload (1–4 bytes overwritten, the header included):
        // each either decodes or throws a CompressionError naming the problem.
        var generator = SeededGenerator(seed: 11)
        for payload in try Self.payloads() {
            var refused = 0
            for _ in 0..<2000 {
                var bytes = payload.bytes
                for _ in 0...generator.nextInt(below: 4) {
                    let position = generator.nextInt(below: min(bytes.count, generator.nextInt(below: 2) == 0 ? 16 : bytes.count))
                    bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                }
                do {
                    try payload.decode(bytes)
                } catch let error as CompressionError {
                    #expect(!error.reason.isEmpty)
                    refused += 1
                }
            }
            #expect(refused > 0, "\(payload.name): no corruption was refused")
        }
    }
}
