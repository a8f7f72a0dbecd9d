#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

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
        try AtomicFile.write(bytes, to: path)
        return CheckpointCodec.storedDigest(of: bytes)
    }

    /// Reads and verifies the checkpoint at `path`; errors name the file.
    public static func load(from path: String) throws -> (checkpoint: Checkpoint, digest: String) {
        let bytes = try AtomicFile.read(path)
        do {
            return (try CheckpointCodec.decode(bytes), CheckpointCodec.storedDigest(of: bytes))
        } catch let error as LearningError {
            throw LearningError(error.code, "checkpoint \(path): \(error.reason)")
        }
    }
}

/// Whole-file reads and atomic whole-file writes.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ioError("cannot create \(temporary)") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = ioError("cannot write \(temporary)")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let error = ioError("cannot fsync \(temporary)")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = ioError("cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let dirFD = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ioError("cannot open \(path)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot read \(path)")
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    static func ioError(_ what: String) -> LearningError {
        LearningError(.io, "\(what): \(String(cString: strerror(errno)))")
    }
}
