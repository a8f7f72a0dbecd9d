import TributarySystem

/// Reads and writes checkpoint files crash-safely.
///
/// A save writes a temporary file beside the target, fsyncs it, renames it over the target and
/// fsyncs the directory, so at every instant the path holds either the old checkpoint or the new
/// one, complete. A load verifies the checksum before it trusts a byte.
public enum CheckpointStore {
    /// Writes `checkpoint` to `path` atomically and returns its digest.
    @discardableResult
    public static func save(_ checkpoint: Checkpoint, to path: String) throws -> String {
        let bytes = try CheckpointCodec.encode(checkpoint)
        AtomicFile.removeStaleTemporaries(of: path)
        do {
            try AtomicFile.write(bytes, to: path)
        } catch let error as FileError {
            throw LearningError(.io, error.reason)
        }
        return CheckpointCodec.storedDigest(of: bytes)
    }

    /// Reads and verifies the checkpoint at `path`; errors name the file.
    public static func load(from path: String) throws -> (checkpoint: Checkpoint, digest: String) {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch let error as FileError {
            throw LearningError(.io, error.reason)
        }
        do {
            return (try CheckpointCodec.decode(bytes), CheckpointCodec.storedDigest(of: bytes))
        } catch let error as LearningError {
            throw LearningError(error.code, "checkpoint \(path): \(error.reason)")
        }
    }
}
