import Logging
import NIOConcurrencyHelpers
import TributaryCertificates
import TributaryTransport

/// The deny list in force, re-read (when its file changed) on every new connection.
///
/// It fails closed: ``load()`` at start throws when the file is missing (unless it is
/// optional) or has a bad line, so the coordinator does not start. Afterwards a bad edit or a
/// deleted file keeps the last good list, logs at error level once per distinct problem, and
/// counts `tributary_transport_deny_list_failures_total`.
final class DenyListState: Sendable {
    private struct State {
        var watcher = DenyListWatcher()
        /// The problem last reported, so a persisting one is logged once, not per connection.
        var problem: String?
    }

    private let path: String?
    private let optional: Bool
    private let state = NIOLockedValueBox(State())
    private let metrics: TransportMetrics
    private let logger: Logger

    /// True when a deny list file is configured.
    var isConfigured: Bool { path != nil }

    init(path: String?, optional: Bool = false, metrics: TransportMetrics = TransportMetrics(), logger: Logger) {
        self.path = path
        self.optional = optional
        self.metrics = metrics
        self.logger = logger
    }

    /// Reads the file at start.
    /// - Throws: ``TransportError/Code/invalidDenyList`` naming the file (and the line and its
    ///   content for a parse error); a missing file only when the list is not optional.
    func load() throws {
        guard let path else { return }
        try state.withLockedValue { state in
            do {
                try state.watcher.refresh(path: path)
                logLoaded(state.watcher.denyList, path: path)
            } catch let error as FleetCertificateError where error.code == .fileMissing && optional {
                state.problem = error.reason
                logger.warning("deny list file missing; nobody is revoked until it appears (tls.deny_list_optional)",
                               metadata: ["deny.path": "\(path)"])
            } catch let error as FleetCertificateError where error.code == .fileMissing {
                throw TransportError(.invalidDenyList, "\(path) does not exist; a configured deny list must exist: create it (`tributary certs init` writes an empty one) or allow a missing file (tls.deny_list_optional: true)")
            } catch let error as FleetCertificateError {
                throw TransportError(.invalidDenyList, error.reason)
            }
        }
    }

    func current() -> DenyList {
        guard let path else { return DenyList() }
        return state.withLockedValue { state in
            do {
                if try state.watcher.refresh(path: path) {
                    logLoaded(state.watcher.denyList, path: path)
                }
                state.problem = nil
            } catch {
                let reason = (error as? FleetCertificateError)?.reason ?? "\(error)"
                if reason != state.problem {
                    state.problem = reason
                    metrics.recordDenyListFailure()
                    logger.error("deny list not reloaded; the last good list stays in force", metadata: [
                        "deny.path": "\(path)", "reason": "\(reason)",
                        "deny.clients": "\(state.watcher.denyList.clientIDs.count)", "deny.serials": "\(state.watcher.denyList.serials.count)",
                    ])
                }
            }
            return state.watcher.denyList
        }
    }

    private func logLoaded(_ list: DenyList, path: String) {
        logger.info("deny list loaded", metadata: ["deny.path": "\(path)", "deny.clients": "\(list.clientIDs.count)", "deny.serials": "\(list.serials.count)"])
    }
}
