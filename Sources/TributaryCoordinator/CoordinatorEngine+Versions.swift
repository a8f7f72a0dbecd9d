import TributaryRegistry

extension CoordinatorEngine {
    /// The registry's versions, oldest first, read on the registry worker's queue (after the work
    /// queued before it, so a version appears once its commit finished), off the actor.
    nonisolated func versions() async throws -> [ModelVersion] {
        try await worker.run { registry, _ in try registry.list() }.get()
    }
}
