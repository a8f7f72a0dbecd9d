#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole files so that readers see the old content or the new, never half of either:
/// a temporary file in the same directory is written with the final mode, fsynced, then moved
/// into place (`rename`, or `link` when overwriting is not allowed, which fails atomically if
/// the target appeared meanwhile), and the directory is fsynced.
enum AtomicFile {
    /// Mode for certificates and the deny list.
    static let publicMode: mode_t = 0o644
    /// Mode for private keys.
    static let privateMode: mode_t = 0o600

    static func write(_ text: String, to path: String, mode: mode_t, overwrite: Bool) throws {
        if !overwrite && Self.exists(path) {
            throw FleetCertificateError(.fileExists, reason: "\(path): already exists (use --force to replace it)")
        }
        let directory = Self.directory(of: path)
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Self.failure("create", temporary) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            // The umask may have narrowed the mode; set it exactly.
            guard fchmod(fd, mode) == 0 else { throw Self.failure("chmod", temporary) }
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Self.failure("write", temporary)
                }
                written += n
            }
            guard fsync(fd) == 0 else { throw Self.failure("fsync", temporary) }
        }
        if overwrite {
            guard rename(temporary, path) == 0 else { throw Self.failure("rename into", path) }
        } else {
            guard link(temporary, path) == 0 else {
                if errno == EEXIST {
                    throw FleetCertificateError(.fileExists, reason: "\(path): already exists (use --force to replace it)")
                }
                throw Self.failure("link into", path)
            }
            unlink(temporary)
        }
        ok = true
        Self.syncDirectory(directory)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Creates `path` (one level) with mode 0755 if it is missing.
    static func ensureDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw FleetCertificateError(.fileExists, reason: "\(path): exists and is not a directory")
            }
            return
        }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw Self.failure("create directory", path) }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    private static func failure(_ action: String, _ path: String) -> FleetCertificateError {
        FleetCertificateError(.fileWriteFailed, reason: "\(path): cannot \(action): \(String(cString: strerror(errno)))")
    }
}

#if canImport(Darwin)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
#elseif canImport(Musl)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Musl.write(fd, buffer, count) }
#else
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
#endif
