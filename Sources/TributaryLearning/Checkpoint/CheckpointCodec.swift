import Crypto
import Foundation

#if _endian(big)
#error("Checkpoint blocks are written as the machine's floats, which must be little-endian")
#endif

/// The checkpoint file format, versions 1 and 2:
///
/// ```
/// "TRIBCKPT"            8 bytes magic
/// format version        UInt32 little-endian (1 or 2)
/// header length         UInt32 little-endian
/// header                JSON (CheckpointHeader), sorted keys
/// blocks                raw little-endian arrays, in the header's order
/// SHA-256               32 bytes over everything before it
/// ```
///
/// Version 2 adds `preprocessing` to the header (the feature schema and standardiser); it is
/// written only for a checkpoint whose preprocessing is not the identity, so a checkpoint without
/// one is written as version 1, byte for byte as before (same digest). A version 1 file reads as
/// identity preprocessing; a build that reads only version 1 refuses a version 2 file by name
/// rather than dropping its preprocessing.
///
/// Decoding verifies the checksum before it parses anything, so a truncated or altered file is
/// reported as such and never half-read.
public enum CheckpointCodec {
    static let magic = Array("TRIBCKPT".utf8)
    /// The newest format version this build writes and reads.
    public static let formatVersion: UInt32 = 2
    /// The format versions this build reads.
    public static let readableVersions: ClosedRange<UInt32> = 1...2
    static let digestLength = 32

    /// The file bytes of a checkpoint.
    public static func encode(_ checkpoint: Checkpoint) throws -> [UInt8] {
        var blocks: [(CheckpointHeader.Block, [UInt8])] = []
        func add(_ name: String, floats: [Float]) {
            blocks.append((.init(name: name, kind: .float32, count: floats.count), floats.withUnsafeBytes { Array($0) }))
        }
        add("parameters", floats: checkpoint.parameters)
        let slotNames = checkpoint.optimizerState.slots.keys.sorted()
        for name in slotNames { add("optimizer.\(name)", floats: checkpoint.optimizerState.slots[name]!) }
        for (index, term) in checkpoint.ewc.terms.enumerated() {
            add("ewc.\(index).fisher", floats: term.fisher)
            add("ewc.\(index).anchor", floats: term.anchor)
        }
        let replay = checkpoint.replay
        add("replay.features", floats: replay.examples.features)
        blocks.append((.init(name: "replay.labels", kind: .int32, count: replay.count), replay.examples.labels.withUnsafeBytes { Array($0) }))
        blocks.append((.init(name: "replay.storedAt", kind: .int64, count: replay.count), replay.storedAt.withUnsafeBytes { Array($0) }))

        let header = CheckpointHeader(
            spec: checkpoint.spec, optimizer: checkpoint.optimizer, optimizerStep: checkpoint.optimizerState.step,
            optimizerSlots: slotNames, ewcConsolidations: checkpoint.ewc.consolidations, ewcTerms: checkpoint.ewc.terms.count,
            replay: replay.configuration, replaySeen: replay.seen,
            replaySeenPerClass: replay.seenPerClass.keys.sorted().map { [Int64($0), replay.seenPerClass[$0]!] },
            replayCursor: replay.cursor, generator: checkpoint.generator.state.map { String($0, radix: 16) },
            plan: checkpoint.plan, lineage: checkpoint.lineage, metadata: checkpoint.metadata,
            preprocessing: checkpoint.preprocessing.isIdentity ? nil : checkpoint.preprocessing,
            blocks: blocks.map(\.0))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let headerBytes = Array(try encoder.encode(header))

        var bytes = magic
        bytes.reserveCapacity(16 + headerBytes.count + blocks.reduce(0) { $0 + $1.1.count } + digestLength)
        append(header.preprocessing == nil ? 1 : 2, to: &bytes)
        append(UInt32(headerBytes.count), to: &bytes)
        bytes += headerBytes
        for (_, payload) in blocks { bytes += payload }
        bytes += Array(SHA256.hash(data: bytes))
        return bytes
    }

    /// SHA-256 (hex) of the checkpoint's encoding: its identity in lineage and registries.
    public static func digest(of checkpoint: Checkpoint) throws -> String {
        hex(Array(try encode(checkpoint).suffix(digestLength)))
    }

    /// SHA-256 (hex) stored in encoded checkpoint bytes (valid only after `decode` succeeded).
    public static func storedDigest(of bytes: [UInt8]) -> String {
        hex(Array(bytes.suffix(digestLength)))
    }

    /// Parses and verifies checkpoint bytes. Every failure is a `corruptCheckpoint`
    /// (or `unsupportedCheckpointVersion`) error that says what was wrong.
    public static func decode(_ bytes: [UInt8]) throws -> Checkpoint {
        let (header, headerLength) = try verifiedHeader(bytes)
        let body = bytes[0..<(bytes.count - digestLength)]
        var cursor = 16 + headerLength
        var floats: [String: [Float]] = [:]
        var labels: [Int32] = []
        var storedAt: [Int64] = []
        for block in header.blocks {
            guard block.count >= 0, cursor + block.byteCount <= body.count else {
                throw LearningError(.corruptCheckpoint, "block '\(block.name)' of \(block.count) values runs past the end of the data")
            }
            let raw = bytes[cursor..<(cursor + block.byteCount)]
            switch block.kind {
            case .float32: floats[block.name] = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            case .int32: labels = raw.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
            case .int64: storedAt = raw.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
            }
            cursor += block.byteCount
        }
        guard cursor == body.count else {
            throw LearningError(.corruptCheckpoint, "\(body.count - cursor) unexpected bytes after the last block")
        }
        func block(_ name: String) throws -> [Float] {
            guard let values = floats[name] else { throw LearningError(.corruptCheckpoint, "block '\(name)' is missing") }
            return values
        }
        let words = header.generator.compactMap { UInt64($0, radix: 16) }
        guard words.count == header.generator.count, let generator = SeededGenerator(state: words) else {
            throw LearningError(.corruptCheckpoint, "random generator state \(header.generator) is not four non-zero 64-bit words")
        }
        var slots: [String: [Float]] = [:]
        for name in header.optimizerSlots { slots[name] = try block("optimizer.\(name)") }
        let terms = try (0..<header.ewcTerms).map { try EWCState.Term(fisher: block("ewc.\($0).fisher"), anchor: block("ewc.\($0).anchor")) }
        let replayFeatures = try block("replay.features")
        guard replayFeatures.count == labels.count * header.spec.inputSize, storedAt.count == labels.count else {
            throw LearningError(.corruptCheckpoint, "replay buffer: \(replayFeatures.count) features for \(labels.count) labels of width \(header.spec.inputSize)")
        }
        do {
            let replay = try ReplayBuffer(
                configuration: header.replay,
                examples: Dataset(featureCount: header.spec.inputSize, features: replayFeatures, labels: labels),
                storedAt: storedAt, seen: header.replaySeen,
                seenPerClass: Dictionary(uniqueKeysWithValues: header.replaySeenPerClass.map { (Int32($0[0]), $0[1]) }),
                windowCursor: header.replayCursor)
            return try Checkpoint(
                spec: header.spec, parameters: try block("parameters"), optimizer: header.optimizer,
                optimizerState: OptimizerState(step: header.optimizerStep, slots: slots),
                ewc: EWCState(terms: terms, consolidations: header.ewcConsolidations), replay: replay,
                generator: generator, plan: header.plan, lineage: header.lineage, metadata: header.metadata,
                preprocessing: header.preprocessing)
        } catch let error as LearningError {
            throw LearningError(.corruptCheckpoint, "checkpoint contents are inconsistent: \(error.reason)")
        }
    }

    /// The header of checkpoint bytes whose magic, format version and checksum are verified,
    /// and its length in bytes.
    private static func verifiedHeader(_ bytes: [UInt8]) throws -> (CheckpointHeader, Int) {
        guard bytes.count >= 16 + digestLength else {
            throw LearningError(.corruptCheckpoint, "file is \(bytes.count) bytes, too short for a checkpoint (at least \(16 + digestLength))")
        }
        guard Array(bytes[0..<8]) == magic else {
            throw LearningError(.corruptCheckpoint, "not a Tributary checkpoint: starts with \(hex(Array(bytes[0..<8]))) instead of TRIBCKPT")
        }
        let version = readUInt32(bytes, at: 8)
        guard readableVersions.contains(version) else {
            throw LearningError(.unsupportedCheckpointVersion,
                                "checkpoint format version \(version); this build reads versions \(readableVersions.lowerBound) to \(readableVersions.upperBound)")
        }
        let body = bytes[0..<(bytes.count - digestLength)]
        let stored = Array(bytes.suffix(digestLength))
        let computed = Array(SHA256.hash(data: body))
        guard stored == computed else {
            throw LearningError(
                .corruptCheckpoint,
                "checksum mismatch (stored \(hex(stored).prefix(16))…, computed \(hex(computed).prefix(16))…): the file is damaged or truncated")
        }
        let headerLength = Int(readUInt32(bytes, at: 12))
        guard 16 + headerLength <= body.count else {
            throw LearningError(.corruptCheckpoint, "header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
        }
        let header: CheckpointHeader
        do {
            header = try JSONDecoder().decode(CheckpointHeader.self, from: Data(bytes[16..<(16 + headerLength)]))
        } catch {
            throw LearningError(.corruptCheckpoint, "header is not valid: \(error)")
        }
        guard (header.preprocessing != nil) == (version >= 2) else {
            throw LearningError(.corruptCheckpoint, "format version \(version) header \(header.preprocessing == nil ? "lacks" : "carries") preprocessing")
        }
        return (header, headerLength)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
