import TributaryAggregation
import TributaryRounds
import TributaryWire

extension CoordinatorInstance {
    /// A client's session opened. Returns its token (nil when the coordinator is stopping). A
    /// client holding an older version gets the live model at once; a client selected for the
    /// collecting round (a reconnect, or a round resumed after a restart) gets its offer again:
    /// that re-offer is the one signal to send its update (again).
    mutating func connected(_ hello: Hello, now: CoordinatorTime) -> (token: UInt64?, actions: [CoordinatorAction]) {
        guard stopReason == nil else { return (nil, []) }
        nextToken += 1
        let token = nextToken
        var actions: [CoordinatorAction] = []
        if let previous = clients[hello.clientID] {
            // The old session is gone: a secure round no longer waits for it (its secrets were on it).
            actions.append(.endSession(previous.token))
            actions += secureDisconnected(hello.clientID, now: now)
        }
        let held = hello.device.modelVersion == 0 ? nil : hello.device.modelVersion
        var link = ClientLink(token: token, holds: held)
        link.live = .init(hello.device)
        link.canEvaluate = hello.capabilities.features.contains(EvaluateRequest.feature)
        link.canSecureAggregate = hello.capabilities.features.contains(SecureRoundParameters.feature)
        link.canCompress = hello.capabilities.features.contains(UpdateEncoding.feature)
        link.canTopK = hello.capabilities.features.contains(UpdateEncoding.topKFeature)
        link.appliesPrivacy = hello.capabilities.features.contains(PrivacyPlanMessage.feature)
        let target = releaseSet(for: hello.clientID)
        if let release = target.release(forClientHolding: held) {
            actions.append(.send(.modelRelease(release), to: token))
            link.holds = target.version
        }
        if var work, opening == nil, machine.isCollecting, work.round.selected.contains(hello.clientID), work.round.accepted[hello.clientID] == nil,
           work.privacy == nil || link.appliesPrivacy {
            // A secure round masks the Update (no encoding) and takes a client only while keys are collected.
            if let secure = work.secure {
                let offer = work.offer(for: hello.clientID, announced: Int(clamping: hello.device.examplesAvailable), aggregation: configuration.aggregation)
                if let secured = secureOffer(offer, for: hello.clientID, link: link, secure: secure) {
                    actions.append(.send(.roundOffer(secured), to: token))
                }
            } else {
                let offer = work.offer(for: hello.clientID, announced: Int(clamping: hello.device.examplesAvailable), aggregation: configuration.aggregation,
                                       encoding: encoding(for: link))
                actions.append(.send(.roundOffer(offer), to: token))
            }
            self.work = work
        }
        clients[hello.clientID] = link
        let record = ClientRecord(
            id: hello.clientID, ready: configuration.readyOnHello, examplesAvailable: Int(clamping: hello.device.examplesAvailable),
            charging: hello.device.charging, metered: hello.device.meteredNetwork, modelVersion: held, now: now.instant)
        actions += rolloutReport(hello.clientID, now: now)
        return (token, actions + translate(machine.clientUpdated(record, now: now.instant), now: now))
    }

    /// A Ready report: the client's facts and whether it wants to train. The version it reports
    /// is what it holds: a client that does not hold the live version (it ignored a delta, or a
    /// release crossed its Ready) gets the live model again, in full unless it holds the parent.
    mutating func ready(_ ready: Ready, from clientID: String, token: UInt64, now: CoordinatorTime) -> [CoordinatorAction] {
        guard var link = clients[clientID], link.token == token else { return [] }
        var actions: [CoordinatorAction] = []
        link.holds = ready.device.modelVersion == 0 ? nil : ready.device.modelVersion
        link.live = .init(ready.device)
        // A live report says the edge's readiness again; it is no reason to train.
        if ready.ready, ready.trigger != "live_report" { link.trigger = ready.trigger }
        let target = releaseSet(for: clientID)
        if let release = target.release(forClientHolding: link.holds) {
            actions.append(.send(.modelRelease(release), to: token))
            link.holds = target.version
        }
        clients[clientID] = link
        actions += rolloutReport(clientID, now: now)
        var record = machine.population.clients[clientID] ?? ClientRecord(id: clientID, now: now.instant)
        record.ready = ready.ready
        record.examplesAvailable = Int(clamping: ready.device.examplesAvailable)
        record.charging = ready.device.charging
        record.metered = ready.device.meteredNetwork
        record.modelVersion = ready.device.modelVersion == 0 ? nil : ready.device.modelVersion
        record.lastSeen = now.instant
        return actions + translate(machine.clientUpdated(record, now: now.instant), now: now)
    }

    /// The connection ended.
    mutating func disconnected(_ clientID: String, token: UInt64, now: CoordinatorTime) -> [CoordinatorAction] {
        guard clients[clientID]?.token == token else { return [] }
        clients[clientID] = nil
        return [.endSession(token)] + secureDisconnected(clientID, now: now) + translate(machine.clientDisconnected(clientID, now: now.instant), now: now)
            + evaluationTick(leaving: clientID, now: now)
    }

    /// An Update arrived: checked, folded, journaled (unless the journal holds it already) and
    /// answered with an UpdateReceipt. A refused update touches no sum and no journal.
    mutating func updateReceived(_ update: IncomingUpdate, token: UInt64, now: CoordinatorTime) -> [CoordinatorAction] {
        guard clients[update.clientID]?.token == token else { return [] }
        do {
            let (journal, roundActions) = try accept(update, now: now)
            return journal + [
                .send(.updateReceipt(UpdateReceipt(roundID: update.roundID, status: .accepted)), to: token),
                .emit(.updateAccepted(round: update.roundID, client: update.clientID, examples: update.examples)),
            ] + translate(roundActions, now: now)
        } catch {
            let receipt = UpdateReceipt.refusing(roundID: update.roundID, error)
            return [
                .send(.updateReceipt(receipt), to: token),
                .emit(.updateRefused(round: update.roundID, client: update.clientID, status: receipt.status.description, reason: receipt.reason)),
            ]
        }
    }

    /// Everything that may refuse an update happens before the machine counts it, cheapest first:
    /// the round facts (``RoundStateMachine/check(_:)``, the one authority: round, selection,
    /// duplicate, base version, examples), the reported fields (example bound, metrics), the
    /// tensors and the fold into a copy of the sums, and for a resumed round the resend's digest.
    /// Once the machine has counted the update nothing can throw its actions away.
    private mutating func accept(_ update: IncomingUpdate, now: CoordinatorTime) throws -> (journal: [CoordinatorAction], round: [RoundAction]) {
        let facts = UpdateFacts(client: update.clientID, roundID: update.roundID, baseVersion: update.baseVersion, examples: update.examples)
        try machine.check(facts)
        guard var work, work.round.id == update.roundID, opening == nil else {
            throw RoundError(.unknownRound, "update from \(update.clientID) names round \(update.roundID), which was not offered yet")
        }
        if work.secure != nil {
            throw RoundError(.unknownRound, "update from \(update.clientID) for round \(update.roundID): the round is aggregated securely; only masked inputs are taken")
        }
        try work.aggregator.policy.validate(client: update.clientID, examples: update.update.numExamples, metrics: update.metrics,
                                            stated: work.statedExamples[update.clientID])
        let vectors = try update.vectors(layout: layout, encoding: work.encodings[update.clientID] ?? .fp32)
        if work.aggregator.rule.needsFisher && vectors.fisher == nil {
            throw AggregationError(.missingFisher, "client '\(update.clientID)': the round aggregates Fisher-weighted and the update carries no Fisher", clientID: update.clientID)
        }
        // Under differential privacy the coordinator clips what it can see, and every client weighs 1.
        let (delta, fisher) = try work.privacy?.clip(delta: vectors.delta, fisher: vectors.fisher) ?? (vectors.delta, vectors.fisher)
        let client = ClientUpdate(
            clientID: update.clientID, roundID: update.roundID, baseVersion: update.baseVersion,
            layout: work.aggregator.policy.layout, delta: delta, fisher: fisher, examples: work.privacy == nil ? update.examples : 1)
        // Validates the tensors and folds into this copy; the round's sums change only below.
        try work.fold(client, metrics: update.metrics, bytes: update.bytes)
        let (actions, resent) = try machine.accept(facts, digest: vectors.digest, now: now.instant)
        work.round.accepted[update.clientID] = update.examples
        self.work = work
        let journal: [CoordinatorAction] = resent ? [] : [
            .journal(.recordUpdate(round: update.roundID, clientID: update.clientID, examples: update.examples, digest: vectors.digest)),
        ]
        return (journal, actions)
    }
}
