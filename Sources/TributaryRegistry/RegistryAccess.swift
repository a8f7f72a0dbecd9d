/// How a process opens a registry: what it may do and what it must coordinate with.
public enum RegistryAccess: Sendable, Hashable {
    /// Reads only (`models list/show/export`): takes no lock and changes no row or blob, so it works
    /// beside a running coordinator and on a registry the process cannot write (a read-only mount).
    case readOnly
    /// Reads and writes rows through SQLite transactions (`models promote/reject/rollback`), beside
    /// a running coordinator: an operator can roll back a live fleet. Writes no blobs, takes no lock.
    case shared
    /// The one process that writes rounds and blobs (a coordinator, `models sweep`): holds
    /// `coordinator.lock` in the registry directory for its whole life; another process asking for
    /// exclusive access is refused, naming the holder.
    case exclusive
}
