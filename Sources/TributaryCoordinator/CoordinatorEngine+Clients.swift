import Foundation
import TributaryAggregation
import TributaryNumerics
import TributaryRounds
import TributaryWire

extension CoordinatorEngine {
    /// A client's session opened. Returns its token, or nil when the coordinator is stopping.
    /// A client holding an older version gets the live model at once; a client selected for the
    /// collecting round (a reconnect, or a round resumed after a restart) gets its offer again.
    func connected(_ hello: Hello, outbox: AsyncStream<WireMessage>.Continuation) -> UInt64? {
        guard stopReason == nil else { return nil }
        nextToken += 1
        if let previous = links[hello.clientID] { previous.outbox.finish() }
        let held = hello.device.modelVersion == 0 ? nil : hello.device.modelVersion
        var link = ClientLink(token: nextToken, outbox: outbox, holds: held)
        if let release = releases.release(forClientHolding: held) {
            link.send(.modelRelease(release))
            link.holds = releases.version
        }
        if let work, machine.isCollecting, work.round.selected.contains(hello.clientID), work.round.accepted[hello.clientID] == nil {
            link.send(.roundOffer(work.offer))
            link.offered.insert(work.round.id)
        }
        links[hello.clientID] = link
        let record = ClientRecord(
            id: hello.clientID, ready: configuration.readyOnHello, examplesAvailable: Int(clamping: hello.device.examplesAvailable),
            charging: hello.device.charging, metered: hello.device.meteredNetwork, modelVersion: held, now: .now)
        perform(machine.clientUpdated(record, now: .now))
        return nextToken
    }

    /// A Ready report: the client's facts and whether it wants to train.
    func ready(_ ready: Ready, from clientID: String, token: UInt64) {
        guard let link = links[clientID], link.token == token else { return }
        let previous = machine.population.clients[clientID]
        var record = previous ?? ClientRecord(id: clientID, now: .now)
        record.ready = ready.ready
        record.examplesAvailable = Int(clamping: ready.device.examplesAvailable)
        record.charging = ready.device.charging
        record.metered = ready.device.meteredNetwork
        record.modelVersion = ready.device.modelVersion == 0 ? nil : ready.device.modelVersion
        record.lastSeen = .now
        perform(machine.clientUpdated(record, now: .now))
    }

    /// The connection ended.
    func disconnected(_ clientID: String, token: UInt64) {
        guard let link = links[clientID], link.token == token else { return }
        link.outbox.finish()
        links[clientID] = nil
        perform(machine.clientDisconnected(clientID, now: .now))
    }

    /// An Update arrived: validated, checked by the round machine, folded, journaled, and
    /// answered with an UpdateReceipt. A refused update touches no sum; it is counted and logged.
    func received(_ update: IncomingUpdate, token: UInt64) {
        guard let link = links[update.clientID], link.token == token else { return }
        let receipt: UpdateReceipt
        var actions: [RoundAction] = []
        do {
            actions = try accept(update)
            receipt = UpdateReceipt(roundID: update.roundID, status: .accepted)
            metrics.updatesAccepted.increment()
            metrics.bytesReceived.increment(by: update.bytes)
            emit(.updateAccepted(round: update.roundID, client: update.clientID, examples: update.examples))
        } catch {
            receipt = UpdateReceipt.refusing(roundID: update.roundID, error)
            metrics.refused(receipt.status.description)
            logger.info("update refused", metadata: [
                "round.id": "\(update.roundID)", "client.id": "\(update.clientID)", "receipt": "\(receipt.status)", "reason": "\(receipt.reason)",
            ])
            emit(.updateRefused(round: update.roundID, client: update.clientID, status: receipt.status.description, reason: receipt.reason))
        }
        link.send(.updateReceipt(receipt))
        perform(actions)
    }

    /// Everything that may refuse an update happens before the machine counts it: the round
    /// checks, every reported field (example count, metrics), the tensors, then the fold into a
    /// copy of the sums. Once the machine has counted the update nothing can throw its actions away.
    private func accept(_ update: IncomingUpdate) throws -> [RoundAction] {
        // Round, selection, duplicate and base version first (LATE / NOT_EXPECTED are about the
        // round, whatever the tensors hold), then the update's fields, then the machine commits.
        guard var work, work.round.id == update.roundID, machine.isCollecting else {
            _ = try machine.updateReceived(from: update.clientID, roundID: update.roundID, baseVersion: update.baseVersion,
                                           examples: update.examples, now: .now)
            throw RoundError(.unknownRound, "update from \(update.clientID) names round \(update.roundID), which is not collecting")
        }
        try Self.precheck(update, round: work.round)
        try work.aggregator.policy.validate(client: update.clientID, examples: update.update.numExamples, metrics: update.metrics)
        let vectors = try update.vectors(layout: layout)
        let client = ClientUpdate(
            clientID: update.clientID, roundID: update.roundID, baseVersion: update.baseVersion,
            layout: work.aggregator.policy.layout, delta: vectors.delta, fisher: vectors.fisher, examples: update.examples)
        if work.aggregator.rule.needsFisher && vectors.fisher == nil {
            throw AggregationError(.missingFisher, "client '\(update.clientID)': the round aggregates Fisher-weighted and the update carries no Fisher", clientID: update.clientID)
        }
        // Validates the tensors and folds into this copy; the round's sums change only below.
        try work.fold(client, metrics: update.metrics, bytes: update.bytes)
        let actions = try machine.updateReceived(from: update.clientID, roundID: update.roundID, baseVersion: update.baseVersion,
                                                 examples: update.examples, now: .now)
        work.round.accepted[update.clientID] = update.examples
        self.work = work
        journal(.recordUpdate(round: update.roundID, clientID: update.clientID, examples: update.examples, digest: vectors.digest))
        if work.round.accepted.count == 1 { pause(at: .collecting, round: update.roundID) }
        return actions
    }

    /// The machine's refusals that do not change its state, checked before the tensors.
    private static func precheck(_ update: IncomingUpdate, round: Round) throws {
        guard round.selected.contains(update.clientID) else {
            throw RoundError(.notSelected, "update from \(update.clientID) for round \(round.id): the client was not offered this round")
        }
        guard round.accepted[update.clientID] == nil else {
            throw RoundError(.duplicateUpdate, "update from \(update.clientID) for round \(round.id): the client already sent one")
        }
        guard update.baseVersion == round.baseVersion else {
            throw RoundError(.wrongBaseVersion,
                             "update from \(update.clientID) for round \(round.id) was trained from version \(update.baseVersion), the round's base is \(round.baseVersion)")
        }
    }
}
