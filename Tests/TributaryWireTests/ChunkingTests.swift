import Testing
@testable import TributaryWire

@Suite("Chunked transfers")
struct ChunkingTests {
    let small = WireConfiguration(maxFrameBytes: 256, chunkSize: 100, maxTransferBytes: 1 << 20)
    let offer = WireMessage.roundOffer(Fixtures.roundOfferFull)

    func chunks(_ transferID: UInt64 = 9) throws -> [PayloadChunk] {
        try FrameCodec.split(offer, transferID: transferID, configuration: small).map {
            guard case .chunk(let chunk) = $0 else { fatalError("expected a chunk, got \($0.name)") }
            return chunk
        }
    }

    @Test func smallMessagesAreNotChunked() throws {
        #expect(try FrameCodec.split(.heartbeat(Fixtures.heartbeat), transferID: 1, configuration: small) == [.heartbeat(Fixtures.heartbeat)])
    }

    @Test func splitAndReassemble() throws {
        let chunks = try chunks()
        let size = try FrameCodec.encode(offer).count - 4
        #expect(chunks.count == (size + 99) / 100)
        #expect(chunks.allSatisfy { $0.data.count <= 100 && $0.totalBytes == UInt64(size) && $0.transferID == 9 })
        var reassembler = ChunkReassembler(configuration: small)
        for chunk in chunks.dropLast() {
            #expect(try reassembler.receive(chunk) == nil)
            #expect(reassembler.isReceiving)
        }
        #expect(try reassembler.receive(chunks.last!) == offer)
        #expect(!reassembler.isReceiving)
    }

    @Test func everyChunkFrameFitsTheFrameLimit() throws {
        let frames = try FrameCodec.encodeChunked(offer, transferID: UInt64.max, configuration: small)
        #expect(frames.allSatisfy { $0.count - 4 <= small.maxFrameBytes })
        var reassembler = ChunkReassembler(configuration: small)
        var result: WireMessage?
        for frame in frames {
            guard case .chunk(let chunk) = try FrameCodec.decode(frame, configuration: small) else { Issue.record("not a chunk"); return }
            result = try reassembler.receive(chunk)
        }
        #expect(result == offer)
    }

    @Test func outOfOrderChunks() throws {
        let chunks = try chunks()
        var reassembler = ChunkReassembler(configuration: small)
        expectWireError(.outOfSequence, "PayloadChunk.index is 1 but transfer 9 has not started; expected 0") {
            _ = try reassembler.receive(chunks[1])
        }
        _ = try reassembler.receive(chunks[0])
        expectWireError(.outOfSequence, "PayloadChunk.index is 2 in transfer 9; expected 1") {
            _ = try reassembler.receive(chunks[2])
        }
        #expect(!reassembler.isReceiving, "a refused chunk forgets the transfer")
    }

    @Test func anotherTransferCannotInterleave() throws {
        let first = try chunks(9), second = try chunks(10)
        var reassembler = ChunkReassembler(configuration: small)
        _ = try reassembler.receive(first[0])
        expectWireError(.outOfSequence, "PayloadChunk.transfer_id is 10 while transfer 9 is incomplete (1 of \(first.count) chunks)") {
            _ = try reassembler.receive(second[0])
        }
        // After a refusal, a new transfer starts cleanly.
        var result: WireMessage?
        for chunk in second { result = try reassembler.receive(chunk) }
        #expect(result == offer)
    }

    @Test func transferOverTheLimitIsRefusedAtChunkZero() {
        var reassembler = ChunkReassembler(configuration: small)
        expectWireError(.transferTooLarge, "PayloadChunk.total_bytes is 1048577; the limit is 1048576") {
            _ = try reassembler.receive(PayloadChunk(transferID: 1, index: 0, total: 2, totalBytes: (1 << 20) + 1, data: [1]))
        }
    }

    @Test func sizesThatDisagree() throws {
        var reassembler = ChunkReassembler(configuration: small)
        expectWireError(.invalidValue, "PayloadChunk.total is 5 chunks for total_bytes 4; each chunk carries at least one byte") {
            _ = try reassembler.receive(PayloadChunk(transferID: 1, index: 0, total: 5, totalBytes: 4, data: [1]))
        }
        _ = try reassembler.receive(PayloadChunk(transferID: 1, index: 0, total: 3, totalBytes: 4, data: [1, 2]))
        expectWireError(.invalidValue, "transfer 1 reached 5 bytes at chunk 1, more than total_bytes 4") {
            _ = try reassembler.receive(PayloadChunk(transferID: 1, index: 1, total: 3, totalBytes: 4, data: [3, 4, 5]))
        }
        _ = try reassembler.receive(PayloadChunk(transferID: 1, index: 0, total: 2, totalBytes: 4, data: [1]))
        expectWireError(.invalidValue, "transfer 1 ended with 2 bytes; total_bytes said 4") {
            _ = try reassembler.receive(PayloadChunk(transferID: 1, index: 1, total: 2, totalBytes: 4, data: [2]))
        }
        _ = try reassembler.receive(PayloadChunk(transferID: 2, index: 0, total: 2, totalBytes: 4, data: [1]))
        expectWireError(.invalidValue, "PayloadChunk 1 of transfer 2 says total 3, total_bytes 4; chunk 0 said 2, 4") {
            _ = try reassembler.receive(PayloadChunk(transferID: 2, index: 1, total: 3, totalBytes: 4, data: [2]))
        }
    }

    @Test func chunksDoNotNest() throws {
        let inner = try FrameCodec.encode(.chunk(Fixtures.chunk)).dropFirst(4)
        var reassembler = ChunkReassembler(configuration: small)
        expectWireError(.invalidValue, "transfer 3 carries a PayloadChunk; chunks do not nest") {
            _ = try reassembler.receive(PayloadChunk(transferID: 3, index: 0, total: 1, totalBytes: UInt64(inner.count), data: Array(inner)))
        }
    }
}
