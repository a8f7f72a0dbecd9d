import Foundation

/// One slice of a serialized Envelope too large for one frame. Concatenating the `data` of
/// chunks 0 ..< total gives the original Envelope's bytes. See ``ChunkReassembler``.
public struct PayloadChunk: Sendable, Hashable {
    /// Non-zero; shared by all chunks of one transfer.
    public var transferID: UInt64
    /// 0-based position; chunks travel in order.
    public var index: UInt32
    /// Number of chunks in the transfer; ≥ 1.
    public var total: UInt32
    /// Size of the reassembled Envelope in bytes.
    public var totalBytes: UInt64
    /// This slice; non-empty.
    public var data: [UInt8]

    public init(transferID: UInt64, index: UInt32, total: UInt32, totalBytes: UInt64, data: [UInt8]) {
        self.transferID = transferID
        self.index = index
        self.total = total
        self.totalBytes = totalBytes
        self.data = data
    }

    func validate() throws {
        try Self.validate(transferID: transferID, index: index, total: total, totalBytes: totalBytes, dataCount: data.count)
    }

    static func validate(transferID: UInt64, index: UInt32, total: UInt32, totalBytes: UInt64, dataCount: Int) throws {
        try requireNonZero(transferID, "PayloadChunk.transfer_id")
        try requireNonZero(total, "PayloadChunk.total")
        try require(index < total, .invalidValue, "PayloadChunk.index is \(index); must be < total \(total)")
        try requireNonZero(totalBytes, "PayloadChunk.total_bytes")
        try require(dataCount > 0, .missingField, "PayloadChunk.data is empty (chunk \(index) of transfer \(transferID))")
        try require(UInt64(dataCount) <= totalBytes, .invalidValue,
                    "PayloadChunk.data has \(dataCount) bytes, more than total_bytes \(totalBytes)")
    }
}

extension PayloadChunk {
    init(proto: Tributary_V1_PayloadChunk) throws {
        self.init(transferID: proto.transferID, index: proto.index, total: proto.total,
                  totalBytes: proto.totalBytes, data: [UInt8](proto.data))
        try validate()
    }

    func toProto() -> Tributary_V1_PayloadChunk {
        var proto = Tributary_V1_PayloadChunk()
        proto.transferID = transferID
        proto.index = index
        proto.total = total
        proto.totalBytes = totalBytes
        proto.data = Data(data)
        return proto
    }
}
