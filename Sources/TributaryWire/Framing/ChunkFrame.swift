/// A chunk frame body in exactly the shape ``FrameCodec/chunkFrameHeader(transferID:index:total:totalBytes:dataCount:)``
/// writes (Envelope{1: version, 11: PayloadChunk{1, 2 unless 0, 3, 4, 5: data}}, each field once,
/// in order, nothing else), read by hand so its data goes from the inbound buffer straight into
/// the reassembly buffer as it arrives. Any other shape is `nil`, and SwiftProtobuf parses the frame.
struct ChunkFrame {
    /// Longest header (up to the data) of that shape: 2 + 11 keys and varints, 3 + 10 + 5 + 5 + 10 + 5.
    static let maxHeaderBytes = 64

    var protocolVersion: UInt32
    var header: ChunkReassembler.Header
    /// The data's range in the body.
    var data: Range<Int>

    /// Reads the header from the start of a frame body of `bodyLength` bytes: `prefix` holds at
    /// least `min(bodyLength, maxHeaderBytes)` of them (the data need not have arrived).
    init?(_ prefix: UnsafeRawBufferPointer, bodyLength: Int) {
        do {
            guard let frame = try Self.read(prefix, bodyLength: bodyLength) else { return nil }
            self = frame
        } catch {
            return nil
        }
    }

    private init(protocolVersion: UInt32, header: ChunkReassembler.Header, data: Range<Int>) {
        self.protocolVersion = protocolVersion
        self.header = header
        self.data = data
    }

    private static func read(_ body: UnsafeRawBufferPointer, bodyLength: Int) throws -> ChunkFrame? {
        var envelope = ProtoReader(body, range: 0..<bodyLength)
        guard let version = try envelope.next(), version.number == 1, version.wireType == 0, version.varint <= UInt32.max,
              let chunk = try envelope.next(), chunk.number == 11, chunk.wireType == 2, try envelope.next() == nil
        else { return nil }
        var reader = ProtoReader(body, range: chunk.value)
        var values: [UInt32: UInt64] = [:]
        var previous: UInt32 = 0
        var data: Range<Int>?
        while let field = try reader.next() {
            guard field.number > previous, data == nil else { return nil }
            previous = field.number
            switch (field.number, field.wireType) {
            case (1, 0), (4, 0): values[field.number] = field.varint
            case (2, 0), (3, 0):
                guard field.varint <= UInt32.max else { return nil }
                values[field.number] = field.varint
            case (5, 2): data = field.value
            default: return nil
            }
        }
        guard let transferID = values[1], let total = values[3], let totalBytes = values[4], let data, data.upperBound == bodyLength
        else { return nil }
        let header = ChunkReassembler.Header(transferID: transferID, index: UInt32(values[2] ?? 0), total: UInt32(total), totalBytes: totalBytes)
        return ChunkFrame(protocolVersion: UInt32(version.varint), header: header, data: data)
    }
}
