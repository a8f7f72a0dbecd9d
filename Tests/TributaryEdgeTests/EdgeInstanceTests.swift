import Foundation
import Testing
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryTransport
import TributaryWire

/// The edge agent's decisions, driven through `EdgeInstance` alone: no sockets, no files, no
/// sleeps; the time is passed in and the shell's answers are given by hand.
@Suite struct EdgeInstanceTests {
    /// Offers carry a deadline ten minutes after `now`.
    static let now = Date()

    /// Reconnect delays without jitter: 1 s, 2 s, 4 s, 8 s (the cap).
    static func configuration() -> EdgeConfiguration {
        var configuration = EdgeSamples.configuration(port: 7443, state: "/nonexistent")
        configuration.reconnect = .init(initial: .seconds(1), maximum: .seconds(8), multiplier: 2, jitter: 0)
        return configuration
    }

    static func instance(examples: Int = 40, held: Checkpoint? = nil, kept: Update? = nil, faults: EdgeFaults = .none,
                         stopAfterRounds: Int? = nil, configuration: EdgeConfiguration = configuration()) -> EdgeInstance {
        let status = EdgeDataStatus(trainable: examples, newSinceTraining: examples, newest: Int64(examples))
        return EdgeInstance(configuration: configuration, clientID: "gw-1", held: held, kept: kept, status: status,
                            faults: faults, stopAfterRounds: stopAfterRounds)
    }

    /// An open session (Ready for the pending trigger already sent).
    static func open(_ edge: inout EdgeInstance, session: String = "s1") {
        _ = edge.handle(.started, now: now)
        _ = edge.handle(.connected(sessionID: session, modelVersion: 1, announced: 40, available: 40), now: now)
    }

    /// Answers one offer the way the shell does (window read, job run, round saved, Update
    /// written) and returns every action, in order.
    static func answer(_ offer: RoundOffer, _ edge: inout EdgeInstance, data: Dataset = EdgeSamples.data(count: 40, seed: 21),
                       at time: Date = now) throws -> [EdgeInstance.Action] {
        var all = edge.handle(.received(.roundOffer(offer)), now: time)
        guard case .readWindow(let job, _, _)? = all.last else { return all }
        let window = EdgeTrainingWindow(data: data, retired: Dataset(featureCount: 4), mark: Int64(data.count), retiredThrough: 0)
        let read = edge.handle(.windowRead(job: job, .success(window)), now: time)
        all += read
        guard case .train(_, let offered, let trainer)? = read.last else { return all }
        let trained = edge.handle(.trainingFinished(job: job, Result { try trainer.answer(offered) }), now: time)
        all += trained
        guard case .saveRound? = trained.last else { return all }
        let saved = edge.handle(.roundSaved(job: job, failure: nil), now: time)
        all += saved
        guard case .sendUpdate(let update)? = saved.last else { return all }
        return all + edge.handle(.updateWritten(round: update.roundID, failure: nil), now: time)
    }

    @Test func aWholeSessionConnectsAnnouncesAnswersAndAdopts() throws {
        var edge = Self.instance()
        #expect(Self.names(edge.handle(.started, now: Self.now)) == ["connect after 0 s, Hello at version 0"])
        // 40 examples ≥ the volume threshold of 10 were pending before the session: Ready "startup".
        #expect(Self.names(edge.handle(.connected(sessionID: "s1", modelVersion: 1, announced: 40, available: 40), now: Self.now)) == [
            "emit connected(sessionID: \"s1\", modelVersion: 1)", "send Ready startup at version 0", "read outcomes after 0", "read arrivals after 40",
        ])
        let actions = try Self.answer(try EdgeSamples.offer(round: 1, version: 1), &edge)
        let names = Self.names(actions)
        #expect(names.first == "emit offered(round: 1, baseVersion: 1)")
        #expect(names.contains("read window 1"))
        #expect(names.contains("train round 1"))
        #expect(names.contains("save round 1"))
        #expect(names.contains("send Update round 1 at version 1"))
        #expect(names.last == "emit updateSent(round: 1, examples: 40, loss: \(Self.loss(actions)))")
        #expect(edge.roundsAnswered == 1 && edge.heldVersion == 1 && edge.kept?.roundID == 1)

        #expect(Self.names(edge.handle(.received(.updateReceipt(UpdateReceipt(roundID: 1, status: .accepted))), now: Self.now))
            == ["emit \(EdgeEvent.receipt(round: 1, status: .accepted, reason: ""))"])
        let adopt = edge.handle(.received(.modelRelease(try EdgeSamples.release(version: 2, deltaFrom: 1, value: 0.01))), now: Self.now)
        #expect(Self.names(adopt) == ["save checkpoint at version 2"])
        #expect(edge.heldVersion == 1, "held only once saved")
        #expect(Self.names(edge.handle(.checkpointSaved(version: 2, failure: nil), now: Self.now)) == ["emit adopted(version: 2)"])
        #expect(edge.heldVersion == 2)
    }

    @Test func anOfferWhoseDeadlinePassedDuringTrainingIsNotAnswered() throws {
        var edge = Self.instance()
        Self.open(&edge)
        let late = Self.now.addingTimeInterval(3600)
        let names = Self.names(try Self.answer(try EdgeSamples.offer(round: 3, version: 1), &edge, at: late))
        #expect(names.last == "emit skipped(round: 3, reason: \"the round\\'s deadline passed before training finished\")")
        #expect(!names.contains { $0.hasPrefix("save") || $0.hasPrefix("send Update") })
        #expect(edge.roundsAnswered == 0 && edge.kept == nil && edge.held == nil)
    }

    @Test func anEmptyWindowOrAFailedJobSkipsTheRound() throws {
        var edge = Self.instance()
        Self.open(&edge)
        let names = Self.names(try Self.answer(try EdgeSamples.offer(round: 4, version: 1), &edge, data: Dataset(featureCount: 4)))
        #expect(names.last == "emit skipped(round: 4, reason: \"no trainable examples in the store yet\")")
        _ = edge.handle(.received(.roundOffer(try EdgeSamples.offer(round: 5, version: 1))), now: Self.now)
        let failed = edge.handle(.windowRead(job: 2, .failure(EdgeError(.state, "local data: disk I/O error"))), now: Self.now)
        #expect(Self.names(failed) == ["emit skipped(round: 5, reason: \"local data: disk I/O error\")"])
    }

    @Test func aRoundOfferedAgainGetsTheKeptUpdateUntrainedAndANewerRoundReplacesIt() throws {
        var edge = Self.instance()
        Self.open(&edge)
        let offer = try EdgeSamples.offer(round: 7, version: 1)
        let first = try Self.answer(offer, &edge)
        guard case .sendUpdate(let sent)? = first.first(where: { if case .sendUpdate = $0 { true } else { false } }) else {
            Issue.record("no Update in \(Self.names(first))")
            return
        }
        let heldAfterRound = edge.held
        // The coordinator restarted mid-collection and offers round 7 at version 1 again, on a new session.
        _ = edge.handle(.sessionFailed(TransportError(.connectionClosed, "the coordinator went away")), now: Self.now)
        _ = edge.handle(.connected(sessionID: "s2", modelVersion: 1, announced: 40, available: 40), now: Self.now)
        let again = edge.handle(.received(.roundOffer(offer)), now: Self.now)
        #expect(Self.names(again) == ["emit offered(round: 7, baseVersion: 1)", "send Update round 7 at version 1"])
        guard case .sendUpdate(let resent)? = again.last else { return }
        #expect(resent == sent, "exactly the Update sent before")
        #expect(Self.names(edge.handle(.updateWritten(round: 7, failure: nil), now: Self.now)) == ["emit updateResent(round: 7)"])
        #expect(edge.held == heldAfterRound && edge.roundsAnswered == 1, "no training, the checkpoint untouched")

        // The same round id at another base version is another offer: trained.
        let rebased = Self.names(try Self.answer(try EdgeSamples.offer(round: 7, version: 2), &edge))
        #expect(rebased.contains("train round 7"))
        #expect(edge.kept?.baseModelVersion == 2)
        // A newer round replaces the kept Update.
        _ = try Self.answer(try EdgeSamples.offer(round: 8, version: 2), &edge)
        #expect(edge.kept?.roundID == 8 && edge.roundsAnswered == 3)
    }

    @Test func anUpdateKeptByAnEarlierRunIsSentAgainAfterAnEdgeRestart() throws {
        var first = Self.instance()
        Self.open(&first)
        _ = try Self.answer(try EdgeSamples.offer(round: 9, version: 1), &first)
        let kept = try #require(first.kept)
        var restarted = Self.instance(examples: 0, held: first.held, kept: kept)
        Self.open(&restarted)
        let again = restarted.handle(.received(.roundOffer(try EdgeSamples.offer(round: 9, version: 1))), now: Self.now)
        guard case .sendUpdate(let resent)? = again.last else {
            Issue.record("\(Self.names(again))")
            return
        }
        #expect(resent == kept)
    }

    @Test func anEvaluateRequestBuildsTheCandidateWithoutAdoptingIt() throws {
        var edge = Self.instance()
        Self.open(&edge)
        let offer = try EdgeSamples.offer(round: 1, version: 3)
        let full = EvaluateRequest(evaluationID: 8, version: 3, model: offer.model, architecture: offer.architecture, deadlineUnixMilliseconds: 1)
        #expect(Self.names(edge.handle(.received(.evaluateRequest(full)), now: Self.now)) == ["evaluate version 3 (candidate at version 3)"])
        #expect(edge.heldVersion == 0)  // evaluated, not adopted
        // A delta against a version this edge does not hold: answered with the reason, nothing evaluated.
        let release = try EdgeSamples.release(version: 5, deltaFrom: 4, value: 0.01)
        let delta = EvaluateRequest(evaluationID: 9, version: 5, model: release.model, architecture: release.architecture, deadlineUnixMilliseconds: 1)
        #expect(Self.names(edge.handle(.received(.evaluateRequest(delta)), now: Self.now)) == [
            "send EvaluateResult 9: the candidate is a delta against a version this edge does not hold (holds 0)",
            "emit evaluated(version: 5, examples: 0, correct: 0, reason: \"the candidate is a delta against a version this edge does not hold (holds 0)\")",
        ])
    }

    @Test func theHeldOutEvaluationCountsPerTrueClass() throws {
        let candidate = try Checkpoint.fresh(spec: EdgeSamples.spec, seed: 5)
        let data = EdgeSamples.data(count: 60, seed: 3)
        let request = EvaluateRequest(evaluationID: 2, version: 7, model: .full(try LearningWire.parameterSet(candidate.parameters, layout: EdgeSamples.spec.parameterLayout)),
                                      deadlineUnixMilliseconds: 1)
        let result = HeldOutEvaluation.result(for: request, candidate: candidate, heldOut: .success(data))
        let predicted = Evaluation.predictions(try candidate.model(), on: data)
        for label in [Int32(0), 1] {
            let rows = data.labels.indices.filter { data.labels[$0] == label }
            #expect(result.classes[UInt32(label)] == EvaluateResult.Count(correct: UInt64(rows.filter { predicted[$0] == Int(label) }.count), total: UInt64(rows.count)))
        }
        #expect(result.total == 60)
        #expect(result.reason.isEmpty)
        #expect(HeldOutEvaluation.result(for: request, candidate: candidate, heldOut: .success(nil)).reason == "this edge keeps no held-out set")
        #expect(HeldOutEvaluation.result(for: request, candidate: candidate, heldOut: .success(Dataset(featureCount: 4))).classes.isEmpty)
    }

    @Test func releasesFullDeltaNotHeldOlderAndUnsaveable() throws {
        var edge = Self.instance()
        Self.open(&edge)
        // A delta against a version not held (none held): ignored until the next offer.
        #expect(Self.names(edge.handle(.received(.modelRelease(try EdgeSamples.release(version: 2, deltaFrom: 1, value: 0.01))), now: Self.now))
            == ["emit releaseIgnored(version: 2, held: 0)"])
        // A full release: adopted once saved.
        let full = try EdgeSamples.offer(round: 1, version: 3)
        let release = ModelRelease(version: 3, parentVersion: 2, model: full.model, architecture: full.architecture)
        #expect(Self.names(edge.handle(.received(.modelRelease(release)), now: Self.now)) == ["save checkpoint at version 3"])
        #expect(Self.names(edge.handle(.checkpointSaved(version: 3, failure: nil), now: Self.now)) == ["emit adopted(version: 3)"])
        // The held version again: nothing to do (a lower one is adopted: RollbackAdoptionTests).
        #expect(edge.handle(.received(.modelRelease(release)), now: Self.now).isEmpty)
        // A delta against the held version that cannot be saved stops the agent for good.
        _ = edge.handle(.received(.modelRelease(try EdgeSamples.release(version: 4, deltaFrom: 3, value: 0.01))), now: Self.now)
        let failed = edge.handle(.checkpointSaved(version: 4, failure: "cannot save the edge checkpoint /x/edge.ckpt: disk full"), now: Self.now)
        #expect(Self.names(failed) == [
            "emit disconnected(reason: \"cannot save the edge checkpoint /x/edge.ckpt: disk full\")",
            "fail fatalRefusal: cannot save the edge checkpoint /x/edge.ckpt: disk full",
        ])
        #expect(edge.heldVersion == 3 && edge.phase == .stopped)
    }

    @Test func backoffGrowsWhileNothingOpensAndResetsAfterASession() {
        var edge = Self.instance()
        _ = edge.handle(.started, now: Self.now)
        let refused = TransportError(.connectFailed, "connection refused")
        #expect(Self.names(edge.handle(.sessionFailed(refused), now: Self.now)) == [
            "emit disconnected(reason: \"\(refused)\")",
            "emit backingOff(1.0 seconds)", "connect after 1.0 seconds, Hello at version 0",
        ])
        #expect(Self.names(edge.handle(.sessionFailed(refused), now: Self.now)).last == "connect after 2.0 seconds, Hello at version 0")
        #expect(Self.names(edge.handle(.sessionFailed(refused), now: Self.now)).last == "connect after 4.0 seconds, Hello at version 0")
        // A session opened, then the coordinator said Goodbye: the next delay starts again from 1 s.
        _ = edge.handle(.connected(sessionID: "s1", modelVersion: 1, announced: 40, available: 40), now: Self.now)
        _ = edge.handle(.received(.goodbye(Goodbye(reason: .shutdown, detail: "restarting"))), now: Self.now)
        #expect(Self.names(edge.handle(.sessionClosed, now: Self.now)) == [
            "emit disconnected(reason: \"the coordinator said Goodbye (reason 1): restarting\")",
            "emit backingOff(1.0 seconds)", "connect after 1.0 seconds, Hello at version 0",
        ])
    }

    @Test func aRevokedCertificateStopsForGood() {
        var edge = Self.instance()
        _ = edge.handle(.started, now: Self.now)
        let actions = Self.names(edge.handle(.sessionFailed(TransportError(.revoked, "the coordinator revoked this client")), now: Self.now))
        #expect(actions.count == 2 && actions[1].hasPrefix("fail fatalRefusal: "), "\(actions)")
        #expect(edge.phase == .stopped)
    }

    @Test func stopSaysGoodbyeAbandonsTheJobAndFinishesWhenTheSessionCloses() throws {
        var edge = Self.instance()
        Self.open(&edge)
        _ = edge.handle(.received(.roundOffer(try EdgeSamples.offer(round: 2, version: 1))), now: Self.now)
        #expect(Self.names(edge.handle(.stopRequested, now: Self.now)) == ["send Goodbye SHUTDOWN"])
        #expect(Self.names(edge.handle(.sessionClosed, now: Self.now)) == [
            "emit skipped(round: 2, reason: \"the session ended during training\")", "finish",
        ])
        // While backing off or connecting, stop ends at once.
        var waiting = Self.instance()
        _ = waiting.handle(.started, now: Self.now)
        _ = waiting.handle(.sessionFailed(TransportError(.connectFailed, "refused")), now: Self.now)
        #expect(Self.names(waiting.handle(.stopRequested, now: Self.now)) == ["finish"])
        // A job that finishes after its session ended is dropped.
        #expect(edge.handle(.windowRead(job: 1, .success(EdgeTrainingWindow(data: EdgeSamples.data(count: 4, seed: 1), retired: Dataset(featureCount: 4),
                                                                            mark: 4, retiredThrough: 0))), now: Self.now).isEmpty)
    }

    @Test func afterTheRoundsAskedForItSaysGoodbyeDone() throws {
        var edge = Self.instance(stopAfterRounds: 1)
        Self.open(&edge)
        let names = Self.names(try Self.answer(try EdgeSamples.offer(round: 1, version: 1), &edge))
        #expect(names.last == "send Goodbye DONE")
        #expect(Self.names(edge.handle(.sessionClosed, now: Self.now)) == ["finish"])
    }

    @Test func aDroppedOfferClosesTheSessionAndASlowAnswerWaitsForItsTimer() throws {
        var dropping = Self.instance(faults: EdgeFaults(dropAfterOffer: true))
        Self.open(&dropping)
        #expect(Self.names(dropping.handle(.received(.roundOffer(try EdgeSamples.offer(round: 2, version: 1))), now: Self.now)) == [
            "emit offered(round: 2, baseVersion: 1)", "emit skipped(round: 2, reason: \"dropped after the offer (fault injection)\")", "close",
        ])
        #expect(Self.names(dropping.handle(.sessionClosed, now: Self.now)).first == "emit disconnected(reason: \"the coordinator closed the session\")")

        var slow = Self.instance(faults: EdgeFaults(delayBeforeUpdate: .seconds(2)))
        Self.open(&slow)
        let names = Self.names(try Self.answer(try EdgeSamples.offer(round: 3, version: 1), &slow))
        #expect(names.last == "schedule sendUpdate(job: 1) after 2.0 seconds")
        #expect(Self.names(slow.handle(.timerFired(.sendUpdate(job: 1)), now: Self.now)) == ["send Update round 3 at version 1"])
    }

    @Test func arrivalsFeedTheTriggerAndAnnounceNeedsASession() {
        var edge = Self.instance(examples: 0)
        #expect(edge.handle(.announce(trigger: "new_task"), now: Self.now).isEmpty, "no session: the next Hello carries the facts")
        Self.open(&edge)
        #expect(Self.names(edge.handle(.arrivalsDue, now: Self.now)) == ["read outcomes after 0", "read arrivals after 0"])
        #expect(edge.handle(.examplesArrived(EdgeSamples.data(count: 5, seed: 2), cursor: 5), now: Self.now).isEmpty)
        #expect(Self.names(edge.handle(.examplesArrived(EdgeSamples.data(count: 5, seed: 3), cursor: 10), now: Self.now))
            == ["send Ready volume at version 0"])
        #expect(edge.cursor == 10)
        #expect(Self.names(edge.handle(.announce(trigger: "new_task"), now: Self.now)) == ["send Ready new_task at version 0"])
    }

    @Test func readyOnlyOnATriggerSaysNotReadyOnceTheRoundIsAnsweredUntilTheNextReason() throws {
        var configuration = Self.configuration()
        configuration.triggers.readyOnlyOnTrigger = true
        var edge = Self.instance(configuration: configuration)
        Self.open(&edge)  // 40 examples pending at start: Ready startup
        let answered = Self.names(try Self.answer(try EdgeSamples.offer(round: 1, version: 1), &edge))
        let sent = try #require(answered.firstIndex(of: "send Update round 1 at version 1"))
        #expect(answered[sent - 1] == "send not ready (answered) at version 1", "\(answered)")
        // A new session with nothing pending corrects what the coordinator assumes of a Hello.
        _ = edge.handle(.sessionClosed, now: Self.now)
        #expect(Self.names(edge.handle(.connected(sessionID: "s2", modelVersion: 1, announced: 0, available: 0), now: Self.now)).contains(
            "send not ready (nothing_pending) at version 1"))
        // New data past the volume threshold: ready again.
        #expect(Self.names(edge.handle(.examplesArrived(EdgeSamples.data(count: 10, seed: 4), cursor: 50), now: Self.now))
            == ["send Ready volume at version 1"])

        // Off (the library default): no not-ready reports.
        var always = Self.instance()
        Self.open(&always)
        #expect(!Self.names(try Self.answer(try EdgeSamples.offer(round: 1, version: 1), &always)).contains { $0.hasPrefix("send not ready") })
    }

    // MARK: - Reading actions

    static func loss(_ actions: [EdgeInstance.Action]) -> Double {
        for action in actions { if case .emit(.trained(_, _, let loss, _)) = action { return loss } }
        return .nan
    }

    static func names(_ actions: [EdgeInstance.Action]) -> [String] {
        actions.map { action in
            switch action {
            case .connect(let delay, let version): "connect after \(delay == .zero ? "0 s" : "\(delay)"), Hello at version \(version)"
            case .sendReady(let trigger, let version, let ready): ready ? "send Ready \(trigger) at version \(version)" : "send not ready (\(trigger)) at version \(version)"
            case .readOutcomes(let cursor): "read outcomes after \(cursor)"
            case .readArrivals(let cursor): "read arrivals after \(cursor)"
            case .readWindow(let job, _, _): "read window \(job)"
            case .train(_, let offer, _): "train round \(offer.roundID)"
            case .saveRound(_, _, let update, _, _): "save round \(update.roundID)"
            case .saveCheckpoint(let checkpoint): "save checkpoint at version \(ModelAdoption.version(of: checkpoint))"
            case .sendUpdate(let update): "send Update round \(update.roundID) at version \(update.baseModelVersion)"
            case .sendSecure(let message): "send \(message.phaseName) round \(message.roundID)"
            case .evaluate(let request, let candidate):
                "evaluate version \(request.version) (candidate at version \(ModelAdoption.version(of: candidate)))"
            case .sendEvaluateResult(let result): "send EvaluateResult \(result.evaluationID): \(result.reason)"
            case .sendGoodbye(let goodbye): "send Goodbye \(goodbye.reason == .shutdown ? "SHUTDOWN" : goodbye.reason == .done ? "DONE" : "\(goodbye.reason.rawValue)")"
            case .schedule(let timer, let delay): "schedule \(timer) after \(delay)"
            case .close: "close"
            case .emit(let event): "emit \(event)"
            case .finish: "finish"
            case .fail(let error): "fail \(error.code): \(error.reason)"
            }
        }
    }
}
