import Foundation
import Logging
import TributaryLearning
import TributaryEdgeTransport
import TributaryTransport
import TributaryWire

extension EdgeAgent {
    /// How the loop of `run()` ended.
    enum Ending: Equatable {
        case finished
        case failed(EdgeError)
    }

    /// The loop's own state: the open session's writer, and performing the instance's actions.
    struct Loop {
        let agent: EdgeAgent
        var link: SessionLink?

        init(agent: EdgeAgent) {
            self.agent = agent
        }

        /// Handles one input; returns how the loop ends, or nil to go on.
        mutating func handle(_ input: Input, instance: inout EdgeInstance, group: inout TaskGroup<Void>) async -> Ending? {
            switch input {
            case .event(let event):
                switch event {
                case .sessionClosed, .sessionFailed:
                    link = nil
                case .received(.goodbye(let said)):
                    agent.logger.info("coordinator said goodbye", metadata: ["goodbye.reason": "\(said.reason.rawValue)", "detail": "\(said.detail)"])
                default:
                    break
                }
                return await step(event, instance: &instance, group: &group).ending
            case .opened(let welcome, let opened, let announced, let available):
                link = opened
                agent.logger.info("session open", metadata: [
                    "session.id": "\(welcome.sessionID)", "model.version": "\(welcome.globalModelVersion)",
                    "model.held": "\(instance.heldVersion)",
                ])
                let event = EdgeInstance.Event.connected(sessionID: welcome.sessionID, modelVersion: welcome.globalModelVersion,
                                                         announced: announced, available: available)
                return await step(event, instance: &instance, group: &group).ending
            case .announce(let trigger, let reply):
                let outcome = await step(.announce(trigger: trigger), instance: &instance, group: &group)
                reply.resume(returning: outcome.readySent)
                return outcome.ending
            }
        }

        /// Feeds `event` to the instance and performs its actions in order; an action whose result
        /// is known at once (a file read or written) feeds its answer back before the next input.
        private mutating func step(_ event: EdgeInstance.Event, instance: inout EdgeInstance,
                                   group: inout TaskGroup<Void>) async -> (ending: Ending?, readySent: Bool) {
            var pending = [event], readySent = false
            while !pending.isEmpty {
                let next = pending.removeFirst()
                let actions = instance.handle(next, now: Date())
                // The held model changes only when a round or an adopted release is saved: it is
                // served from then on, before the actions say so (`adopted model version V`).
                if case .roundSaved = next { agent.serve(instance.held) }
                if case .checkpointSaved = next { agent.serve(instance.held) }
                for action in actions {
                    switch await perform(action, group: &group) {
                    case .answer(let answer): pending.append(answer)
                    case .readySent: readySent = true
                    case .end(let ending): return (ending, readySent)
                    case .none: break
                    }
                }
            }
            return (nil, readySent)
        }

        enum Performed {
            case none
            case answer(EdgeInstance.Event)
            case readySent
            case end(Ending)
        }

        private mutating func perform(_ action: EdgeInstance.Action, group: inout TaskGroup<Void>) async -> Performed {
            let agent = self.agent, data = agent.data
            switch action {
            case .connect(let delay, let version):
                group.addTask { await agent.session(after: delay, modelVersion: version) }
            case .sendReady(let trigger, let version, let ready):
                return await sendReady(trigger, modelVersion: version, ready: ready)
            case .readOutcomes(let cursor):
                return answer("live outcomes") {
                    let (outcomes, next) = try data.outcomes(after: cursor, limit: 10_000)
                    return .outcomesArrived(outcomes, cursor: next)
                }
            case .readArrivals(let cursor):
                return answer("new examples") {
                    let (examples, next) = try data.arrivals(after: cursor, limit: 10_000)
                    return .examplesArrived(examples, cursor: next)
                }
            case .readWindow(let job, let limit, let onlyNew):
                let window = Result {
                    var window = try EdgeAgent.reading { try data.trainingWindow(limit: limit, onlyNew: onlyNew) }
                    window.live = try EdgeAgent.reading { try data.liveAccuracy() }
                    return window
                }
                return .answer(.windowRead(job: job, window))
            case .train(let job, let offer, let trainer):
                agent.train(job: job, offer: offer, trainer: trainer)
            case .saveRound(let job, let keep, let update, let window, let residual):
                do {
                    try agent.files.save(keep)
                    if let residual { try agent.files.save(residual) }
                    try agent.files.keep(update)
                    try EdgeAgent.reading { try data.markTrained(window) }
                    return .answer(.roundSaved(job: job, failure: nil))
                } catch {
                    return .answer(.roundSaved(job: job, failure: "\(error)"))
                }
            case .saveCheckpoint(let checkpoint):
                let version = ModelAdoption.version(of: checkpoint)
                do {
                    try agent.files.save(checkpoint)
                    return .answer(.checkpointSaved(version: version, failure: nil))
                } catch {
                    return .answer(.checkpointSaved(version: version, failure: "\(error)"))
                }
            case .sendUpdate(let update):
                return .answer(.updateWritten(round: update.roundID, failure: await write(update)))
            case .evaluate(let request, let candidate):
                let heldOut = Result { try EdgeAgent.reading { try data.heldOut(limit: HeldOutEvaluation.maximumExamples) } }
                let result = HeldOutEvaluation.result(for: request, candidate: candidate, heldOut: heldOut)
                if await write(result) {
                    agent.emit(.evaluated(version: result.version, examples: result.total, correct: result.correct, reason: result.reason))
                }
            case .sendEvaluateResult(let result):
                _ = await write(result)
            case .sendSecure(let message):
                do {
                    guard let link else { throw EdgeError(.invalidInput, "the session ended") }
                    try await link.outbound.write(.secureAggregation(message))
                } catch {
                    agent.logger.info("cannot send a secure-aggregation message", metadata: [
                        "round.id": "\(message.roundID)", "message": "\(message.phaseName)", "reason": "\(error)"])
                }
            case .sendGoodbye(let goodbye):
                try? await link?.outbound.write(.goodbye(goodbye))
            case .schedule(let timer, let delay):
                let input = agent.input
                group.addTask {
                    guard (try? await Task.sleep(for: delay)) != nil else { return }
                    input.yield(.event(.timerFired(timer)))
                }
            case .close:
                link?.closer.close()
            case .emit(let event):
                agent.emit(event)
            case .finish:
                return .end(.finished)
            case .fail(let error):
                agent.logger.error("stopping: the coordinator will not admit this edge", metadata: ["reason": "\(error.reason)"])
                return .end(.failed(error))
            }
            return .none
        }

        /// The answer a read gives, or nothing when the read failed (logged; the next tick tries again).
        private func answer(_ what: String, _ read: () throws -> EdgeInstance.Event) -> Performed {
            do {
                return .answer(try EdgeAgent.reading(read))
            } catch {
                agent.logger.info("cannot read \(what)", metadata: ["reason": "\(error)"])
                return .none
            }
        }

        /// Writes a Ready with the current facts; false when there is no session or the write failed.
        private func sendReady(_ trigger: String, modelVersion: UInt64, ready: Bool) async -> Performed {
            guard let link else { return .none }
            do {
                let status = try EdgeAgent.reading { try agent.data.status() }
                let facts = agent.deviceFacts(examplesAvailable: UInt64(status.trainable), modelVersion: modelVersion)
                try await link.outbound.write(.ready(Ready(device: facts, trigger: trigger, ready: ready && facts.examplesAvailable > 0)))
            } catch {
                agent.logger.info("cannot send Ready", metadata: ["trigger": "\(trigger)", "reason": "\(error)"])
                return .none
            }
            agent.emit(.readySent(trigger: trigger, ready: ready))
            return ready ? .readySent : .none
        }

        /// Writes an Update; nil, or why it could not be written.
        /// Writes an EvaluateResult; false when there is no session or the write failed (logged).
        private func write(_ result: EvaluateResult) async -> Bool {
            var failure = "the session ended before the result was sent"
            if let link {
                do {
                    try await link.outbound.write(.evaluateResult(result))
                    return true
                } catch {
                    failure = "\(error)"
                }
            }
            agent.logger.info("cannot send the evaluation result", metadata: ["evaluation.id": "\(result.evaluationID)", "reason": "\(failure)"])
            return false
        }

        private func write(_ update: Update) async -> String? {
            guard let link else { return "the session ended before the Update was sent" }
            do {
                try await link.outbound.write(.update(update))
            } catch {
                return "\(error)"
            }
            agent.logger.info("update sent", metadata: [
                "round.id": "\(update.roundID)", "examples": "\(update.numExamples)",
                "train.loss": "\(update.metrics["train.loss"] ?? .nan)", "delta.norm": "\(update.metrics["delta.norm"] ?? .nan)",
            ])
            return nil
        }
    }

    /// Trains in a detached task, so the loop keeps handling messages; the outcome comes back as
    /// an input. A job the session no longer waits for still runs to its end, and nobody waits for it.
    func train(job: Int, offer: RoundOffer, trainer: EdgeTrainer) {
        let input = self.input, hook = faults.onTrainingStep
        Task.detached {
            let outcome = Result {
                try trainer.answerEncoded(offer, progress: { progress in
                    if progress.epoch == 1, progress.step == 1 { hook?() }
                })
            }
            input.yield(.event(.trainingFinished(job: job, outcome)))
        }
    }

    /// What Hello and Ready report: the examples, the version held and its live accuracy on this
    /// device (the feedback outcomes on its own served predictions; none when they cannot be read).
    func deviceFacts(examplesAvailable: UInt64, modelVersion: UInt64) -> DeviceFacts {
        let live = (try? data.liveAccuracy())?.first { $0.modelVersion == modelVersion }
        return DeviceFacts(examplesAvailable: examplesAvailable, charging: true, meteredNetwork: false, modelVersion: modelVersion,
                           liveOutcomes: UInt64(max(live?.total ?? 0, 0)), liveCorrect: UInt64(max(live?.correct ?? 0, 0)))
    }

    /// One connection attempt after `delay`: the Hello, then every message delivered as an input,
    /// then how the session ended.
    func session(after delay: Duration, modelVersion: UInt64) async {
        if delay > .zero {
            guard (try? await Task.sleep(for: delay)) != nil else { return }
        }
        let input = self.input, data = self.data, endpoint = configuration.coordinator
        do {
            let announced = UInt64(try Self.reading { try data.status() }.trainable)
            let hello = Hello(clientID: clientID, capabilities: Capabilities(features: [
                EvaluateRequest.feature, SecureRoundParameters.feature, UpdateEncoding.feature, UpdateEncoding.topKFeature, PrivacyPlanMessage.feature,
            ]),
                              device: deviceFacts(examplesAvailable: announced, modelVersion: modelVersion))
            try await EdgeClient.withSession(host: endpoint.host, port: endpoint.port, hello: hello,
                                             configuration: transport, logger: logger) { welcome, connection in
                let available = UInt64(try Self.reading { try data.status() }.trainable)
                input.yield(.opened(welcome, SessionLink(outbound: connection.outbound, closer: connection.closer),
                                    announced: announced, available: available))
                while let message = try await connection.next() { input.yield(.event(.received(message))) }
            }
            input.yield(.event(.sessionClosed))
        } catch {
            input.yield(.event(.sessionFailed(error)))
        }
    }
}
