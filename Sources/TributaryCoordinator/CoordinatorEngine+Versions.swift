import TributaryRegistry

extension CoordinatorEngine {
    /// The registry's versions with their decisions, oldest first, read on the registry worker's
    /// queue (after the work queued before it, so a version appears once its commit finished),
    /// off the actor.
    nonisolated func versions() async throws -> [(version: ModelVersion, decisions: [VersionDecision])] {
        try await worker.run { registry, _ in try registry.list().map { ($0, try registry.decisions(of: $0.number)) } }.get()
    }
}
