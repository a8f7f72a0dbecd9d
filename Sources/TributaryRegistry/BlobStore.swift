#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TributaryLearning
import TributarySystem

/// Content-addressed checkpoint files: `<root>/blobs/sha256/<first two hex digits>/<digest>`,
/// where the digest is the SHA-256 a checkpoint encoding carries (`CheckpointCodec.storedDigest`).
///
/// A blob is written to a temporary file, fsynced, renamed into place and its directory fsynced
/// (`AtomicFile`), so a blob path holds the complete bytes or nothing; a directory created on the
/// way is made durable in its parent too.
struct BlobStore: Sendable {
    let root: String

    var base: String { root + "/blobs/sha256" }

    func path(of digest: String) -> String {
        "\(base)/\(digest.prefix(2))/\(digest)"
    }

    /// Writes the encoded checkpoint and returns its digest once it is durable on disk.
    func write(_ bytes: [UInt8]) throws -> String {
        let digest = CheckpointCodec.storedDigest(of: bytes)
        let directory = "\(base)/\(digest.prefix(2))"
        do {
            try makeDurableDirectory(root + "/blobs")
            try makeDurableDirectory(base)
            try makeDurableDirectory(directory)
            try AtomicFile.write(bytes, to: path(of: digest), mode: AtomicFile.publicMode)
        } catch let error as FileError {
            throw RegistryError(.io, "blob \(digest): \(error.reason)")
        }
        return digest
    }

    /// The blob's bytes, verified: the checksum inside is recomputed and must equal `digest`.
    func read(_ digest: String, version: UInt64) throws -> [UInt8] {
        let file = path(of: digest)
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(file)
        } catch let error as FileError where error.code == .missing {
            throw RegistryError(.missingBlob, "version \(version): blob \(file) is missing")
        } catch let error as FileError {
            throw RegistryError(.io, "version \(version): \(error.reason)")
        }
        try Self.verify(bytes, digest: digest, version: version, file: file)
        return bytes
    }

    /// Checks `bytes` hash to `digest` (SHA-256 over the encoding, as stored in its last 32 bytes).
    static func verify(_ bytes: [UInt8], digest: String, version: UInt64, file: String) throws {
        guard bytes.count > 32 else {
            throw RegistryError(.corruptBlob, "version \(version): blob \(file) is \(bytes.count) bytes, too short")
        }
        let computed = BlobDigest.sha256Hex(bytes[0..<(bytes.count - 32)])
        guard computed == digest, CheckpointCodec.storedDigest(of: bytes) == digest else {
            throw RegistryError(
                .corruptBlob, "version \(version): blob \(file) hashes to \(computed.prefix(16))…, the registry records \(digest.prefix(16))…")
        }
    }

    /// Every file under the blob tree (blobs and leftover temporaries) with its size.
    func files() -> [(path: String, name: String, bytes: Int64)] {
        let manager = FileManager.default
        guard let shards = try? manager.contentsOfDirectory(atPath: base) else { return [] }
        var result: [(String, String, Int64)] = []
        for shard in shards.sorted() {
            let directory = "\(base)/\(shard)"
            guard let names = try? manager.contentsOfDirectory(atPath: directory) else { continue }
            for name in names.sorted() {
                let file = "\(directory)/\(name)"
                var info = stat()
                result.append((file, name, lstat(file, &info) == 0 ? Int64(info.st_size) : 0))
            }
        }
        return result
    }

    private func makeDurableDirectory(_ path: String) throws {
        if AtomicFile.exists(path) { return }
        try AtomicFile.ensureDirectory(path)
        let parent = AtomicFile.directory(of: path)
        let fd = open(parent, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}
