#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's file-descriptor limit (RLIMIT_NOFILE, soft), which bounds how many connections
/// the coordinator can hold: each is one descriptor.
public enum FileDescriptorLimit {
    /// Descriptors kept out of the connection budget for the registry, blobs, logs, the admin
    /// endpoint and the listening sockets.
    public static let reserved = 256

    /// The soft limit now (Int.max when unlimited or unreadable).
    public static var current: Int {
        var limit = rlimit()
        #if canImport(Darwin)
        let resource = RLIMIT_NOFILE
        #else
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #endif
        guard getrlimit(resource, &limit) == 0 else { return Int.max }
        // RLIM_INFINITY is the largest rlim_t: clamped, it reads as Int.max.
        return Int(clamping: limit.rlim_cur)
    }

    /// The most connections the limit leaves room for (at least 1).
    public static var connectionBudget: Int {
        let limit = current
        return limit == Int.max ? Int.max : max(1, limit - reserved)
    }
}
