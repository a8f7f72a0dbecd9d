import TributaryFeedback
import TributaryLearning
import TributaryWire

/// The session's life: open, Ready on triggers, close, backoff, stop.
extension EdgeInstance {
    mutating func connected(sessionID: String, modelVersion: UInt64, announced: UInt64, available: UInt64) -> [Action] {
        opened = true
        phase = .open(Session(sessionID: sessionID))
        var actions: [Action] = [.emit(.connected(sessionID: sessionID, modelVersion: modelVersion))]
        if stopRequested { return actions + stop() }
        if let reason = trigger.handle(.connected) {
            actions.append(.sendReady(trigger: reason.name, modelVersion: heldVersion))
        } else if configuration.triggers.readyOnlyOnTrigger {
            // Nothing pending: say so, whatever the coordinator assumes of a Hello.
            actions.append(.sendReady(trigger: "nothing_pending", modelVersion: heldVersion, ready: false))
        } else if available != announced {
            // The data changed between Hello and now (an announce then found no open session):
            // the coordinator must not select this edge on the Hello's stale count.
            actions.append(.sendReady(trigger: "data_changed", modelVersion: heldVersion))
        }
        return actions + [.readOutcomes(after: outcomeCursor), .readArrivals(after: cursor)]
    }

    /// The session ended (or never opened): stop, fail for good, or back off and connect again.
    mutating func sessionEnded(failure: (any Error)?) -> [Action] {
        let session: Session? = if case .open(let open) = phase { open } else { nil }
        var actions = abandonRounds()
        if stopRequested || phase == .closing || phase == .stopped {
            phase = .stopped
            return actions + [.finish]
        }
        let reason: String
        if let failure {
            if case .fatal(let message) = SessionEnding.after(failure) {
                phase = .stopped
                return actions + [.emit(.disconnected(reason: message)), .fail(EdgeError(.fatalRefusal, message))]
            }
            reason = session?.closeReason ?? "\(failure)"
        } else {
            reason = session?.closeReason
                ?? session?.goodbye.map { "the coordinator said Goodbye (reason \($0.reason.rawValue)): \($0.detail)" }
                ?? "the coordinator closed the session"
        }
        if opened { backoff.reset() }
        opened = false
        let delay = backoff.nextDelay()
        phase = .connecting
        actions += [.emit(.disconnected(reason: reason)), .emit(.backingOff(delay)), .connect(after: delay, modelVersion: heldVersion)]
        return actions
    }

    /// Rounds still training or waiting to be sent when the session ends are not answered.
    mutating func abandonRounds() -> [Action] {
        let abandoned = jobs.sorted { $0.key < $1.key }.map(\.value)
        jobs = [:]
        writing = [:]
        return abandoned.map { .emit(.skipped(round: $0.offer.roundID, reason: "the session ended during training")) }
    }

    mutating func stop() -> [Action] {
        stopRequested = true
        switch phase {
        case .open:
            phase = .closing
            return [.sendGoodbye(Goodbye(reason: .shutdown, detail: "the edge agent is stopping"))]
        case .idle, .connecting:
            // A backoff delay or a handshake under way just ends (the shell cancels it).
            phase = .stopped
            return [.finish]
        case .closing, .stopped:
            return []
        }
    }

    /// Live outcomes since the last look (feedback on served predictions) go through the
    /// trigger's accuracy-drop window and drift detectors, those of the held version only (an
    /// older model's outcomes say nothing about this one). Ready when the trigger fires; else,
    /// when outcomes of the held version arrived, a Ready that reports them (`live_report`: the
    /// live counts a canary's comparison reads), keeping the readiness the edge announced.
    mutating func outcomesArrived(_ outcomes: [LiveOutcome], cursor next: Int64) -> [Action] {
        outcomeCursor = max(outcomeCursor, next)
        guard !outcomes.isEmpty else { return [] }
        liveFeedback = true
        var announce: TrainingTrigger.Reason?
        var held = 0
        for outcome in outcomes where outcome.modelVersion == heldVersion {
            held += 1
            announce = trigger.handle(.prediction(correct: outcome.correct)) ?? announce
        }
        guard held > 0 else { return [] }
        let right = outcomes.filter { $0.modelVersion == heldVersion && $0.correct }.count
        let observed: [Action] = [.emit(.liveOutcomes(version: heldVersion, outcomes: held, correct: right, drift: trigger.driftStatistics))]
        guard isOpen else { return observed }
        if let reason = announce { return observed + [.sendReady(trigger: reason.name, modelVersion: heldVersion)] }
        let ready = configuration.triggers.readyOnlyOnTrigger ? trigger.pending != nil : true
        return observed + [.sendReady(trigger: trigger.pending?.name ?? "live_report", modelVersion: heldVersion, ready: ready)]
    }

    /// Examples stored since the last look go through the trigger: each one's prediction by the
    /// held model (right or wrong; only until live outcomes exist, which then measure the served
    /// model instead), then their count. Ready when the trigger fires.
    mutating func examplesArrived(_ arrived: Dataset, cursor next: Int64) -> [Action] {
        cursor = max(cursor, next)
        guard !arrived.isEmpty else { return [] }
        var announce: TrainingTrigger.Reason?
        if !liveFeedback, let model = predictingModel(), arrived.featureCount == model.spec.inputSize {
            let predictions = Evaluation.predictions(model, on: arrived)
            for (predicted, label) in zip(predictions, arrived.labels) {
                announce = trigger.handle(.prediction(correct: predicted == Int(label))) ?? announce
            }
        }
        guard let reason = trigger.handle(.examplesArrived(arrived.count)) ?? announce, isOpen else { return [] }
        return [.sendReady(trigger: reason.name, modelVersion: heldVersion)]
    }

    private mutating func predictingModel() -> Sequential? {
        guard let held else { return nil }
        if let predictor, predictor.version == heldVersion { return predictor.model }
        guard let built = try? held.model() else { return nil }
        predictor = (heldVersion, built)
        return built
    }
}
