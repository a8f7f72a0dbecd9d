import Foundation

/// Reassembles ``PayloadChunk``s into the message they carry. Sans-IO: feed it chunks in the
/// order they arrived; it returns the message when the last one is in.
///
/// One transfer at a time per direction; other messages may arrive between its chunks.
/// Refuses (and forgets the transfer): a `totalBytes` over the limit (`transferTooLarge`),
/// a chunk out of order or of another transfer (`outOfSequence`), chunks whose sizes
/// disagree with `totalBytes` (`invalidValue`), and a chunk inside a chunk (`invalidValue`).
public struct ChunkReassembler: Sendable {
    private struct Transfer: Sendable {
        var id: UInt64
        var total: UInt32
        var totalBytes: UInt64
        var nextIndex: UInt32
        var bytes: [UInt8]
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
        try receive(transferID: chunk.transferID, index: chunk.index, total: chunk.total, totalBytes: chunk.totalBytes, data: chunk.data)
    }

    /// Adds a chunk as parsed from its frame; its data is copied once, into the reassembly buffer.
    mutating func receive(proto chunk: Tributary_V1_PayloadChunk) throws -> WireMessage? {
        try receive(transferID: chunk.transferID, index: chunk.index, total: chunk.total, totalBytes: chunk.totalBytes, data: chunk.data)
    }

    private mutating func receive(transferID: UInt64, index: UInt32, total: UInt32, totalBytes: UInt64,
                                  data: some ContiguousBytes & Collection) throws -> WireMessage? {
        do {
            let header = Header(transferID: transferID, index: index, total: total, totalBytes: totalBytes)
            return try receiveOrThrow(header, data: data)
        } catch {
            transfer = nil
            throw error
        }
    }

    /// A chunk's fields other than its data.
    private struct Header {
        var transferID: UInt64
        var index: UInt32
        var total: UInt32
        var totalBytes: UInt64
    }

    private mutating func receiveOrThrow(_ chunk: Header, data: some ContiguousBytes & Collection) throws -> WireMessage? {
        try PayloadChunk.validate(transferID: chunk.transferID, index: chunk.index, total: chunk.total,
                                  totalBytes: chunk.totalBytes, dataCount: data.count)
        var current: Transfer
        if let transfer {
            try require(chunk.transferID == transfer.id, .outOfSequence,
                        "PayloadChunk.transfer_id is \(chunk.transferID) while transfer \(transfer.id) is incomplete (\(transfer.nextIndex) of \(transfer.total) chunks)")
            try require(chunk.index == transfer.nextIndex, .outOfSequence,
                        "PayloadChunk.index is \(chunk.index) in transfer \(transfer.id); expected \(transfer.nextIndex)")
            try require(chunk.total == transfer.total && chunk.totalBytes == transfer.totalBytes, .invalidValue,
                        "PayloadChunk \(chunk.index) of transfer \(chunk.transferID) says total \(chunk.total), total_bytes \(chunk.totalBytes); chunk 0 said \(transfer.total), \(transfer.totalBytes)")
            current = transfer
            self.transfer = nil
        } else {
            try require(chunk.index == 0, .outOfSequence,
                        "PayloadChunk.index is \(chunk.index) but transfer \(chunk.transferID) has not started; expected 0")
            try require(chunk.totalBytes <= UInt64(configuration.maxTransferBytes), .transferTooLarge,
                        "PayloadChunk.total_bytes is \(chunk.totalBytes); the limit is \(configuration.maxTransferBytes)")
            try require(UInt64(chunk.total) <= chunk.totalBytes, .invalidValue,
                        "PayloadChunk.total is \(chunk.total) chunks for total_bytes \(chunk.totalBytes); each chunk carries at least one byte")
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(Int(chunk.totalBytes), Self.maxReservation))
            current = Transfer(id: chunk.transferID, total: chunk.total, totalBytes: chunk.totalBytes, nextIndex: 0, bytes: bytes)
        }
        try require(UInt64(current.bytes.count + data.count) <= current.totalBytes, .invalidValue,
                    "transfer \(current.id) reached \(current.bytes.count + data.count) bytes at chunk \(chunk.index), more than total_bytes \(current.totalBytes)")
        data.withUnsafeBytes { current.bytes.append(contentsOf: $0) }
        current.nextIndex += 1
        guard current.nextIndex == current.total else {
            transfer = current
            return nil
        }
        try require(UInt64(current.bytes.count) == current.totalBytes, .invalidValue,
                    "transfer \(current.id) ended with \(current.bytes.count) bytes; total_bytes said \(current.totalBytes)")
        let message = try FrameCodec.decodeBody(current.bytes[...], configuration: configuration)
        if case .chunk = message {
            throw WireError(.invalidValue, "transfer \(current.id) carries a PayloadChunk; chunks do not nest")
        }
        return message
    }
}
