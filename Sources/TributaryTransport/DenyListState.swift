import Logging
import NIOConcurrencyHelpers
import TributaryCertificates

/// The deny list in force, re-read (when its file changed) on every new connection.
final class DenyListState: Sendable {
    private let path: String?
    private let watcher = NIOLockedValueBox(DenyListWatcher())
    private let logger: Logger

    /// True when a deny list file is configured.
    var isConfigured: Bool { path != nil }

    init(path: String?, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    func current() -> DenyList {
        guard let path else { return DenyList() }
        return watcher.withLockedValue { watcher in
            do {
                if try watcher.refresh(path: path) {
                    logger.info("deny list loaded", metadata: ["deny.path": "\(path)", "deny.clients": "\(watcher.denyList.clientIDs.count)", "deny.serials": "\(watcher.denyList.serials.count)"])
                }
            } catch {
                logger.info("deny list not reloaded; the previous one stays in force", metadata: ["deny.path": "\(path)", "reason": "\(error)"])
            }
            return watcher.denyList
        }
    }
}
