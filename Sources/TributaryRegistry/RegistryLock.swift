#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization
import TributarySystem

/// A registry's exclusive lock: `flock(LOCK_EX)` on `<registry>/coordinator.lock`, held while a
/// `RegistryLock` lives and released by the kernel when the process dies, so a SIGKILLed
/// coordinator leaves no stale lock. The file records the holder, so a refusal names it.
///
/// The lock keeps out other processes. Within one process it is shared: taking it again while
/// this process holds it succeeds (a test restarts an engine in one process), and the file is
/// unlocked when the last `RegistryLock` for it goes away.
final class RegistryLock: Sendable {
    let path: String

    private init(path: String) {
        self.path = path
    }

    deinit {
        Self.held.withLock { held in
            guard let entry = held[path] else { return }
            if entry.count > 1 {
                held[path] = (entry.fd, entry.count - 1)
            } else {
                held[path] = nil
                close(entry.fd)  // releases the flock
            }
        }
    }

    /// Takes the lock on `<directory>/coordinator.lock` and records this process as its holder.
    /// - Throws: `RegistryError` `.locked` naming the holder when another process has it.
    static func acquire(_ configuration: RegistryConfiguration) throws -> RegistryLock {
        // One key per file, however the directory was spelled.
        let path = URL(fileURLWithPath: configuration.directory).resolvingSymlinksInPath().path + "/" + RegistryConfiguration.lockFile
        return try held.withLock { held in
            if let entry = held[path] {
                held[path] = (entry.fd, entry.count + 1)
                return RegistryLock(path: path)
            }
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw failure("open", path) }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                guard code == EWOULDBLOCK else {
                    errno = code
                    throw failure("lock", path)
                }
                let holder = (try? AtomicFile.read(path)).flatMap { RegistryLockHolder(record: String(decoding: $0, as: UTF8.self)) }
                throw RegistryError(.locked, "registry \(configuration.directory) is in use by "
                    + (holder.map(\.description) ?? "another process (\(path) does not say which yet)") + "; stop it first")
            }
            let record = Array(RegistryLockHolder.current().record.utf8)
            guard ftruncate(fd, 0) == 0, pwrite(fd, record, record.count, 0) == record.count else {
                let error = failure("record the holder in", path)
                close(fd)
                throw error
            }
            held[path] = (fd, 1)
            return RegistryLock(path: path)
        }
    }

    private static func failure(_ action: String, _ path: String) -> RegistryError {
        let code: RegistryError.Code = errno == EROFS || errno == EACCES ? .readOnly : .io
        return RegistryError(code, "registry lock \(path): cannot \(action) it: \(String(cString: strerror(errno)))")
    }

    /// The locks this process holds: path → (descriptor, holders).
    private static let held = Mutex<[String: (fd: Int32, count: Int)]>([:])
}
