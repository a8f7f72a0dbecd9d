/// The formats of a compressed vector. Every payload starts with the same 8-byte header,
/// little-endian: the magic "TC" (0x54 0x43), the format (one byte, these raw values), the
/// format version (1), and the vector's element count (UInt32). docs/privacy.md has each body.
public enum CompressedFormat: UInt8, Sendable, CaseIterable {
    /// Int8 with one Float32 scale per block (``Int8Blocks``).
    case int8Blocks = 1
    /// IEEE 754 half precision (``Float16Vector``).
    case float16 = 2
    /// The top k entries, indices as gaps in LEB128, values Float32 (``SparseVector``).
    case sparse = 3
    /// Plain Float32, for the error-feedback residual (``ErrorFeedbackResidual``).
    case float32 = 4
    /// Int8 blocks of square roots, read back squared (``Int8Blocks`` with `.squareRoot`), for a Fisher.
    case int8SquareRootBlocks = 5

    static let magic: [UInt8] = [0x54, 0x43]
    static let version: UInt8 = 1
    static let headerSize = 8

    /// The header for `count` elements, to which the body is appended.
    func header(count: Int) -> ByteWriter {
        var writer = ByteWriter(capacity: Self.headerSize)
        writer.append(bytes: Self.magic)
        writer.append(rawValue)
        writer.append(Self.version)
        writer.append(UInt32(count))
        return writer
    }

    /// Reads and checks the header; returns a reader at the body and the element count.
    func readHeader(_ bytes: [UInt8]) throws -> (reader: ByteReader, count: Int) {
        var reader = ByteReader(bytes, format: self)
        let magic = try reader.bytes(2, field: "magic")
        guard magic == Self.magic else {
            throw CompressionError(.wrongFormat, "\(self) payload starts with \(magic.map { String($0, radix: 16) }); expected the magic 54 43 (\"TC\")")
        }
        let format = try reader.uint8(field: "format")
        guard format == rawValue else {
            let name = CompressedFormat(rawValue: format).map { "\($0)" } ?? "unknown"
            throw CompressionError(.wrongFormat, "payload is format \(format) (\(name)); expected \(rawValue) (\(self))")
        }
        let version = try reader.uint8(field: "version")
        guard version == Self.version else {
            throw CompressionError(.wrongFormat, "\(self) payload is version \(version); this build reads version \(Self.version)")
        }
        let count = Int(try reader.uint32(field: "count"))
        return (reader, count)
    }
}
