#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads, and whole-file writes that readers see as the old content or the new,
/// never half of either: a uniquely named temporary file in the same directory is written with
/// its final mode, fsynced, then moved into place (`rename`; or `link` when overwriting is not
/// allowed, which fails atomically if the target appeared meanwhile), and the directory is
/// fsynced. A process killed at any instant leaves the target intact.
public enum AtomicFile {
    /// Mode for ordinary files (checkpoints, certificates, lists).
    public static let publicMode: mode_t = 0o644
    /// Mode for private keys.
    public static let privateMode: mode_t = 0o600

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = publicMode, overwrite: Bool = true) throws {
        if !overwrite && exists(path) {
            throw FileError(.exists, path: path, reason: "\(path): already exists (use --force to replace it)")
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("create", temporary) }
        var ok = false
        defer { if !ok { unlink(temporary) } }
        do {
            defer { close(fd) }
            // The umask may have narrowed the mode; set it exactly.
            guard fchmod(fd, mode) == 0 else { throw failure("chmod", temporary) }
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure("write", temporary)
                }
                written += n
            }
            guard fsync(fd) == 0 else { throw failure("fsync", temporary) }
        }
        if overwrite {
            guard rename(temporary, path) == 0 else { throw failure("rename into", path) }
        } else {
            guard link(temporary, path) == 0 else {
                if errno == EEXIST {
                    throw FileError(.exists, path: path, reason: "\(path): already exists (use --force to replace it)")
                }
                throw failure("link into", path)
            }
            unlink(temporary)
        }
        ok = true
        syncDirectory(directory(of: path))
    }

    /// The whole file.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FileError(errno == ENOENT ? .missing : .io, path: path, reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    /// Removes temporary files a killed writer left beside `path` (`<name>.tmp-<pid>-<n>` whose
    /// process no longer runs); returns the paths removed. A live writer's file is left alone.
    @discardableResult
    public static func removeStaleTemporaries(of path: String) -> [String] {
        let directory = directory(of: path)
        let prefix = String(path.split(separator: "/").last ?? Substring(path)) + ".tmp-"
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var removed: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).split(separator: "-").first ?? "") else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let stale = directory + "/" + name
            if unlink(stale) == 0 { removed.append(stale) }
        }
        return removed
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Creates `path` (one level) with mode 0755 if it is missing.
    public static func ensureDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw FileError(.exists, path: path, reason: "\(path): exists and is not a directory")
            }
            return
        }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw failure("create directory", path) }
    }

    public static func directory(of path: String) -> String {
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

    private static func failure(_ action: String, _ path: String) -> FileError {
        FileError(.io, path: path, reason: "\(path): cannot \(action): \(String(cString: strerror(errno)))")
    }
}

#if canImport(Darwin)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
#elseif canImport(Musl)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Musl.write(fd, buffer, count) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Musl.read(fd, buffer, count) }
#else
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
#endif
