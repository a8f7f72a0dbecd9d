import TributaryRounds
import TributarySecureAggregation
import TributaryWire

/// Secure rounds (`secure_aggregation`): the round's ``SecureRound`` server machine driven by the
/// clients' phase messages, disconnections and ticks; a masked input counts as the client's
/// answer for the round machine (its size is secret: it counts 1); the round commits once the
/// machine has closed it and the sum is unmasked, from the sums alone.
extension CoordinatorInstance {
    /// The secure round of `round`, built when the round opens (nil when secure aggregation is off).
    func makeSecureRound(_ round: Round, work: RoundWork, now: CoordinatorTime) throws -> SecureRound? {
        guard var settings = configuration.secureAggregation else { return nil }
        settings.bounds = secureBounds(round, settings: settings, privacy: work.privacy)
        if settings.ringBits == 32, work.privacy == nil, boundsHistory.referenceFisher.isEmpty,
           work.aggregator.rule.needsFisher || !work.offer.plan.skipFisher {
            // Until a round has given the fleet's mean Fisher, the Fisher bound is the configured
            // cap, too loose for a 32-bit ring's step: such a round masks in 64 bits.
            settings.ringBits = 64
        }
        return try SecureRound(
            round: round, settings: settings, parameterCount: layout.totalCount, fisherWeighted: work.aggregator.rule.needsFisher,
            meanFisher: !work.offer.plan.skipFisher, now: now)
    }

    /// The bounds of this round's fixed-point layout, as tight as what the coordinator knows: the
    /// most examples any selected client may claim (its plan's `max_examples`, from what it
    /// announced), and a Fisher cap of `aggregation.bounds.fisher_multiple` × the largest value of
    /// the fleet's mean Fisher (once a round has given one); never above `secure_aggregation`'s.
    /// A tighter range is a finer fixed-point step for the same ring. Under DP the plan's own
    /// bounds: weight 1, the delta clip (plus ten noise σ in distributed mode), the Fisher cap.
    func secureBounds(_ round: Round, settings: SecureAggregationSettings, privacy: RoundPrivacy?) -> FisherWeightedBounds {
        var bounds = settings.bounds
        let aggregation = configuration.aggregation
        var most = aggregation.maxUpdateExamples
        if aggregation.bounds.statedExamples,
           let announced = round.selected.compactMap({ machine.population.clients[$0]?.examplesAvailable }).max() {
            most = min(most, max(announced, 1))
        }
        bounds.maxExamples = max(1, min(bounds.maxExamples, most))
        if let privacy {
            // Under DP each client weighs 1 and clipped its delta into the L2 ball of C (plus its
            // share of the noise in distributed mode) and its Fisher at the cap.
            let noise = privacy.plan.deltaNoiseStandardDeviation
            bounds.maxExamples = 1
            bounds.deltaCap = min(bounds.deltaCap, Float(Double(privacy.settings.deltaClip) + 10 * noise))
            bounds.fisherCap = min(bounds.fisherCap, privacy.settings.fisherCap)
            return bounds
        }
        if let multiple = aggregation.bounds.fisherMultiple, let peak = boundsHistory.referenceFisher.max(), peak > 0 {
            bounds.fisherCap = min(bounds.fisherCap, max(peak * multiple, aggregation.bounds.fisherFloor))
        }
        return bounds
    }

    /// The offer for `client` in a secure round: with its parameters when it can take part (it
    /// announced "secagg" and the keys are still being collected), else nil.
    func secureOffer(_ offer: RoundOffer, for client: String, link: ClientLink, secure: SecureRound) -> RoundOffer? {
        guard link.canSecureAggregate, secure.server.phase == .advertiseKeys, let parameters = secure.parameters(for: client) else { return nil }
        var offer = offer
        offer.secureAggregation = parameters
        return offer
    }

    /// Opens phase 1 once the offers are out; selected clients that cannot take part are dropped now.
    mutating func startSecure(offered: Set<String>, now: CoordinatorTime) -> [CoordinatorAction] {
        guard var work, var secure = work.secure else { return [] }
        var actions = secure.server.start(now: now.instant)
        let absent = secure.clients.filter { !offered.contains($0) && clients[$0]?.canSecureAggregate == false }
        for client in absent { actions += secure.server.disconnected(secure.indices[client]!, now: now.instant) }
        work.secure = secure
        self.work = work
        let configuration = secure.configuration
        let detail = "\(configuration.clientCount) clients, \(configuration.neighbourCount) neighbours each, threshold \(configuration.threshold), "
            + "at least \(configuration.minimumClients), \(configuration.layout.segments.map(\.name).joined(separator: "+")) "
            + "in a \(configuration.layout.bits)-bit ring" + (absent.isEmpty ? "" : "; \(absent.count) without \"secagg\" left out")
        return [.emit(.secureAggregation(round: work.round.id, step: "started", detail: detail))] + performSecure(actions, now: now)
    }

    /// A phase message (or a refusal) from a client of the secure round.
    mutating func secureMessage(_ message: SecureAggregationMessage, from clientID: String, token: UInt64, now: CoordinatorTime) -> [CoordinatorAction] {
        guard clients[clientID]?.token == token, var work, var secure = work.secure, message.roundID == work.round.id,
              let index = secure.indices[clientID] else { return [] }
        let round = work.round.id
        switch message.body {
        case .fromClient(let answer):
            let before = secure.server.contributors.contains(index)
            let decided = secure.server.received(answer, from: index, now: now.instant)
            var actions: [CoordinatorAction] = []
            var roundActions: [RoundAction] = []
            if decided.contains(where: { if case .aborted = $0 { true } else { false } }) {
                // The round fails with the server's reason; the machine does not count this input.
                work.secure = secure
                self.work = work
                return performSecure(decided, now: now)
            }
            if case .maskedInput(_, let vector) = answer, !before, secure.server.contributors.contains(index) {
                work.bytesReceived += vector.count * secure.elementBytes
                // The machine counts the masked input as this client's answer; its size is secret.
                let facts = UpdateFacts(client: clientID, roundID: round, baseVersion: work.round.baseVersion, examples: 1)
                do {
                    try machine.check(facts)
                    roundActions = try machine.accept(facts, digest: nil, now: now.instant).actions
                    work.round.accepted[clientID] = 1
                    actions.append(.emit(.updateAccepted(round: round, client: clientID, examples: 0)))
                } catch {
                    actions.append(.emit(.updateRefused(round: round, client: clientID, status: "NOT_EXPECTED", reason: "\(error)")))
                }
            }
            work.secure = secure
            self.work = work
            // The round machine first: its close (target reached) or abandon (everyone answered or
            // left, below the quorum) decides what the server's actions still do; a server abort
            // then fails a round the machine still holds.
            actions += translate(roundActions, now: now)
            actions += performSecure(decided, now: now)
            return actions + inputsClosedIfDone(now: now)
        case .refusal(_, let code, let reason):
            let decided = secure.server.disconnected(index, now: now.instant)
            work.secure = secure
            self.work = work
            return [.emit(.secureAggregation(round: round, step: "refused", detail: "\(clientID) (index \(index)) refused: \(code): \(reason)"))]
                + performSecure(decided, now: now) + inputsClosedIfDone(now: now)
        case .toClient, .abort:
            return []
        }
    }

    /// A client of the secure round left: the phase no longer waits for it.
    mutating func secureDisconnected(_ clientID: String, now: CoordinatorTime) -> [CoordinatorAction] {
        guard var work, var secure = work.secure, let index = secure.indices[clientID] else { return [] }
        let decided = secure.server.disconnected(index, now: now.instant)
        work.secure = secure
        self.work = work
        return performSecure(decided, now: now) + inputsClosedIfDone(now: now)
    }

    /// A wake-up: the current phase's deadline may have passed.
    mutating func secureTick(now: CoordinatorTime) -> [CoordinatorAction] {
        guard var work, var secure = work.secure else { return [] }
        let decided = secure.server.tick(now: now.instant)
        work.secure = secure
        self.work = work
        return performSecure(decided, now: now) + inputsClosedIfDone(now: now)
    }

    /// The shell ran the unmasking job.
    mutating func secureSumComputed(round: UInt64, _ result: Result<SecAggSum, any Error>, now: CoordinatorTime) -> [CoordinatorAction] {
        guard var work, work.round.id == round, var secure = work.secure else { return [] }
        let decided = secure.server.unmaskingFinished(result, now: now.instant)
        work.secure = secure
        self.work = work
        return performSecure(decided, now: now)
    }

    /// The round machine closed the secure round: commit if the sum is in, else close the masked
    /// inputs now (the target was reached, or the deadline) and commit when it is.
    mutating func closeSecure(now: CoordinatorTime) -> [CoordinatorAction] {
        guard var work, var secure = work.secure else { return [] }
        if secure.sum != nil { return commitSecure(now: now) }
        secure.closeRequested = true
        let decided = secure.server.closeMaskedInput(now: now.instant)
        work.secure = secure
        self.work = work
        return performSecure(decided, now: now)
    }

    /// The server machine's actions as the shell's.
    private mutating func performSecure(_ decided: [SecAggServerAction], now: CoordinatorTime) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = []
        for action in decided {
            guard let work, let secure = work.secure else { break }
            let round = work.round.id
            switch action {
            case .send(let message, let index):
                if let link = clients[secure.clients[index]] {
                    actions.append(.send(.secureAggregation(secure.message(.toClient(message))), to: link.token))
                }
            case .wakeUp(let instant):
                actions.append(.wakeUp(at: instant))
            case .unmask(let job):
                actions += [
                    .emit(.secureAggregation(round: round, step: "unmasking", detail:
                        "\(job.contributors.count) masked inputs; \(job.droppedAfterSharing.count) clients dropped after sharing keys, their masks removed")),
                    .unmaskSecureSum(job, round: round),
                ]
            case .refuse(let index, let error):
                actions.append(.emit(.secureAggregation(round: round, step: "refused", detail: "\(secure.clients[index]): \(error.reason)")))
            case .finished(let sum):
                var finished = secure
                finished.sum = sum
                self.work?.secure = finished
                actions.append(.emit(.secureAggregation(round: round, step: "aggregated", detail:
                    "the sum of \(sum.contributors.count) clients' inputs unmasked (\(sum.droppedAfterSharing.count) dropped after sharing keys)")))
                if machine.isCollecting, machine.currentRound?.id == round {
                    actions += translate(machine.inputsClosed(round, reason: "secure aggregation unmasked the sum", now: now.instant), now: now)
                } else if finished.closeRequested {
                    actions += commitSecure(now: now)
                }
            case .aborted(let phase, let error):
                for client in secure.clients {
                    guard let link = clients[client] else { continue }
                    actions.append(.send(.secureAggregation(secure.message(.abort(phase: phase, code: error.code.name, reason: error.reason))), to: link.token))
                }
                let reason = "secure aggregation aborted in \(phase): \(error.reason)"
                actions.append(.emit(.secureAggregation(round: round, step: "aborted", detail: error.reason)))
                self.work = nil
                actions += translate(machine.roundFailed(round, reason: reason, now: now.instant), now: now)
            }
        }
        return actions
    }

    /// Once the server is past the masked inputs no answer can come: the round machine closes
    /// (or abandons) the round rather than wait for its deadline.
    private mutating func inputsClosedIfDone(now: CoordinatorTime) -> [CoordinatorAction] {
        guard let work, let secure = work.secure, machine.isCollecting, machine.currentRound?.id == work.round.id else { return [] }
        switch secure.server.phase {
        case .advertiseKeys, .shareKeys, .maskedInput, .aborted: return []
        case .unmasking, .computingSum, .finished:
            return translate(machine.inputsClosed(work.round.id, reason: "secure aggregation closed the masked inputs", now: now.instant), now: now)
        }
    }

    /// The sums into the round's aggregator, then the usual commit.
    private mutating func commitSecure(now: CoordinatorTime) -> [CoordinatorAction] {
        guard var work, let secure = work.secure, let sum = secure.sum else { return [] }
        let round = work.round.id
        let sums = secure.sums(sum, fisherWeighted: work.aggregator.rule.needsFisher)
        do {
            try work.aggregator.absorbSums(deltaSum: sums.delta, fisherSum: sums.fisher, examples: sums.examples,
                                           contributors: sum.contributors.map { secure.clients[$0] })
        } catch {
            self.work = nil
            return commitFailed(round, reason: "the secure sums: \(error)", now: now)
        }
        self.work = nil
        boundsHistory = work.aggregator.closingHistory
        return [.commit(work, live: live)]
    }
}
