/// Reassembles ``PayloadChunk``s into the message they carry. Sans-IO: feed it chunks in the
/// order they arrived; it returns the message when the last one is in.
///
/// One transfer at a time per direction; other messages may arrive between its chunks.
/// Refuses (and forgets the transfer): a `totalBytes` over the limit (`transferTooLarge`),
/// a chunk out of order or of another transfer (`outOfSequence`), chunks whose sizes
/// disagree with `totalBytes` (`invalidValue`), and a chunk inside a chunk (`invalidValue`).
///
/// A chunk may also arrive in pieces, as its frame does (``FrameDecoder``): ``begin(_:dataCount:)``
/// checks its header, ``append(_:)`` copies each piece of its data into the reassembly buffer as
/// it arrives, ``end()`` finishes it.
public struct ChunkReassembler: Sendable {
    private struct Transfer: Sendable {
        var id: UInt64
        var total: UInt32
        var totalBytes: UInt64
        var nextIndex: UInt32
        var bytes: [UInt8]
        /// Data bytes of the chunk begun and not yet appended.
        var chunkLeft = 0
    }

    /// A chunk's fields other than its data.
    struct Header {
        var transferID: UInt64
        var index: UInt32
        var total: UInt32
        var totalBytes: UInt64
    }

    /// Capacity reserved up front, so that a small lying chunk cannot make us allocate a gigabyte.
    /// Reserved pages are not touched (or backed by memory) until data arrives; a transfer up to
    /// this size is received into one buffer that never grows (a 64 MiB model's Envelope is a few
    /// bytes over 64 MiB, so a 64 MiB cap cost a 64 MiB copy on every such transfer).
    static let maxReservation = 256 * 1024 * 1024

    private let configuration: WireConfiguration
    private var transfer: Transfer?

    public init(configuration: WireConfiguration = .init()) {
        self.configuration = configuration
    }

    /// True while a transfer has started and not finished.
    public var isReceiving: Bool { transfer != nil }

    /// Adds a chunk; returns the reassembled message after the last chunk, `nil` before.
    public mutating func receive(_ chunk: PayloadChunk) throws -> WireMessage? {
        let header = Header(transferID: chunk.transferID, index: chunk.index, total: chunk.total, totalBytes: chunk.totalBytes)
        try begin(header, dataCount: chunk.data.count)
        chunk.data.withUnsafeBytes { append($0) }
        return try end()
    }

    /// Starts a chunk whose `dataCount` bytes of data follow through ``append(_:)``.
    mutating func begin(_ chunk: Header, dataCount: Int) throws {
        do {
            try beginOrThrow(chunk, dataCount: dataCount)
        } catch {
            transfer = nil
            throw error
        }
    }

    /// Copies the next piece of the begun chunk's data (at most what is left of it).
    mutating func append(_ data: UnsafeRawBufferPointer) {
        precondition(data.count <= transfer?.chunkLeft ?? 0, "\(data.count) bytes appended to a chunk expecting \(transfer?.chunkLeft ?? 0)")
        transfer!.bytes.append(contentsOf: data)
        transfer!.chunkLeft -= data.count
    }

    /// Ends the begun chunk (all its data appended); returns the message after the transfer's last chunk.
    mutating func end() throws -> WireMessage? {
        guard var current = transfer else { preconditionFailure("no chunk begun") }
        precondition(current.chunkLeft == 0, "chunk ended with \(current.chunkLeft) bytes of its data missing")
        current.nextIndex += 1
        guard current.nextIndex == current.total else {
            transfer!.nextIndex = current.nextIndex
            return nil
        }
        transfer = nil
        try require(UInt64(current.bytes.count) == current.totalBytes, .invalidValue,
                    "transfer \(current.id) ended with \(current.bytes.count) bytes; total_bytes said \(current.totalBytes)")
        let message = try FrameCodec.decodeMessage(ByteSlice(current.bytes[...]), configuration: configuration)
        if case .chunk = message {
            throw WireError(.invalidValue, "transfer \(current.id) carries a PayloadChunk; chunks do not nest")
        }
        return message
    }

    private mutating func beginOrThrow(_ chunk: Header, dataCount: Int) throws {
        try PayloadChunk.validate(transferID: chunk.transferID, index: chunk.index, total: chunk.total,
                                  totalBytes: chunk.totalBytes, dataCount: dataCount)
        if let transfer {
            try require(chunk.transferID == transfer.id, .outOfSequence,
                        "PayloadChunk.transfer_id is \(chunk.transferID) while transfer \(transfer.id) is incomplete (\(transfer.nextIndex) of \(transfer.total) chunks)")
            try require(chunk.index == transfer.nextIndex, .outOfSequence,
                        "PayloadChunk.index is \(chunk.index) in transfer \(transfer.id); expected \(transfer.nextIndex)")
            try require(chunk.total == transfer.total && chunk.totalBytes == transfer.totalBytes, .invalidValue,
                        "PayloadChunk \(chunk.index) of transfer \(chunk.transferID) says total \(chunk.total), total_bytes \(chunk.totalBytes); chunk 0 said \(transfer.total), \(transfer.totalBytes)")
        } else {
            try require(chunk.index == 0, .outOfSequence,
                        "PayloadChunk.index is \(chunk.index) but transfer \(chunk.transferID) has not started; expected 0")
            try require(chunk.totalBytes <= UInt64(configuration.maxTransferBytes), .transferTooLarge,
                        "PayloadChunk.total_bytes is \(chunk.totalBytes); the limit is \(configuration.maxTransferBytes)")
            try require(UInt64(chunk.total) <= chunk.totalBytes, .invalidValue,
                        "PayloadChunk.total is \(chunk.total) chunks for total_bytes \(chunk.totalBytes); each chunk carries at least one byte")
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(Int(chunk.totalBytes), Self.maxReservation))
            let capacity = bytes.capacity
            bytes.withUnsafeMutableBufferPointer { HugePages.advise($0.baseAddress, byteCount: capacity) }
            transfer = Transfer(id: chunk.transferID, total: chunk.total, totalBytes: chunk.totalBytes, nextIndex: 0, bytes: bytes)
        }
        let received = transfer!.bytes.count
        try require(UInt64(received + dataCount) <= chunk.totalBytes, .invalidValue,
                    "transfer \(chunk.transferID) reached \(received + dataCount) bytes at chunk \(chunk.index), more than total_bytes \(chunk.totalBytes)")
        transfer!.chunkLeft = dataCount
    }
}
