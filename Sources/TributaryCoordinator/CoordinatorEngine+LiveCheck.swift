import TributaryRegistry

extension CoordinatorEngine {
    /// Reads the registry's live row every `registry.live_check`, on the worker's queue (after
    /// any commit queued before it), and hands a changed live version to the instance
    /// (``CoordinatorInstance/liveVersionChanged(_:releases:now:)``). Ends when the coordinator stops.
    func startLiveCheck() {
        let interval = instance.configuration.liveCheck
        liveCheck = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, let self, await self.checkLive() else { return }
            }
        }
    }

    /// One look at the live row; false once the coordinator is stopping.
    func checkLive() async -> Bool {
        guard instance.stopReason == nil else { return false }
        let held = instance.live.version, refused = refusedLive
        let read = await worker.run { registry, _ -> (GlobalModel, ReleaseSet)? in
            guard let row = try registry.live(), row.number != held, row.number != refused else { return nil }
            let live = try GlobalModel(version: row.number, stored: try registry.load(row.number))
            return (live, try CoordinatorStartup.releaseSet(registry: registry, live: live))
        }
        switch read {
        case .success(let changed?):
            guard changed.0.checkpoint.spec.parameterLayout == layout else {
                refusedLive = changed.0.version
                logger.error("the registry's live version has another architecture; not released", metadata: ["model.version": "\(changed.0.version)"])
                return true
            }
            await perform(instance.liveVersionChanged(changed.0, releases: changed.1, now: .now))
        case .success(nil):
            break
        case .failure(let error):
            logger.error("could not read the registry's live version", metadata: ["reason": "\(error)"])
        }
        return instance.stopReason == nil
    }
}
