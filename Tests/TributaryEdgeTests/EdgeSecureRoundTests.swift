import Foundation
import Testing
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributarySecureAggregation
import TributaryWire

/// The edge instance's part in a secure round, driven with no socket against a real
/// `SecAggServer` and two real `SecAggClient`s: keys at the offer, shares while training, the
/// trained Update masked (never sent), and a request for both of one client's shares refused.
@Suite struct EdgeSecureRoundTests {
    static let layout = try! MaskLayout.sums(["weighted_delta", "weighted_fisher", "examples"],
                                             parameterCount: EdgeSamples.spec.parameterLayout.totalCount,
                                             bounds: FisherWeightedBounds(maxExamples: 100, fisherCap: 10, deltaCap: 1), maxClients: 3)
    static let configuration = try! SecAggConfiguration(roundID: 4, clientCount: 3, neighbourCount: 2, threshold: 2, minimumClients: 2,
                                                        graphSeed: 9, layout: layout)

    /// A round with the edge as client 0 and two other clients with known inputs.
    struct Round {
        var edge = EdgeInstanceTests.instance()
        var server = SecAggServer(configuration: EdgeSecureRoundTests.configuration)
        var others: [Int: SecAggClient] = [:]
        var otherInputs: [Int: [[Float]]] = [:]
        var toEdge: [SecAggServerMessage] = []
        var sum: SecAggSum?
        let now = ContinuousClock.now

        init() throws {
            EdgeInstanceTests.open(&edge)
            var generator = SeededGenerator(seed: 3)
            for index in [1, 2] {
                let count = EdgeSecureRoundTests.layout.totalCount / 2
                let delta = (0..<count).map { _ in Float(generator.nextGaussian()) * 0.01 }
                let input = try FisherWeightedInput.segments(for: EdgeSecureRoundTests.layout, delta: delta,
                                                             fisher: [Float](repeating: 0.5, count: count), examples: 10 * index)
                otherInputs[index] = input
                var rng = SeededGenerator(seed: UInt64(index))
                others[index] = try SecAggClient(configuration: EdgeSecureRoundTests.configuration, index: index, input: input, randomness: &rng)
            }
        }

        /// Feeds the server's actions: messages for the edge are kept, the others' clients answer at once.
        mutating func perform(_ actions: [SecAggServerAction]) throws {
            for action in actions {
                switch action {
                case .send(let message, to: 0): toEdge.append(message)
                case .send(let message, let index):
                    let answer = try others[index]!.receive(message)
                    try perform(server.received(answer, from: index, now: now))
                case .unmask(let job): try perform(server.unmaskingFinished(Result { try job.run() }, now: now))
                case .finished(let sum): self.sum = sum
                case .wakeUp, .refuse, .aborted: break
                }
            }
        }

        /// The edge's secure messages among its actions, given to the server.
        mutating func deliver(_ actions: [EdgeInstance.Action]) throws {
            for case .sendSecure(let message) in actions {
                guard case .fromClient(let answer) = message.body else { continue }
                try perform(server.received(answer, from: 0, now: now))
            }
        }

        /// The server's queued requests, handed to the edge; its answers go back.
        mutating func flushToEdge() throws -> [EdgeInstance.Action] {
            var all: [EdgeInstance.Action] = []
            while !toEdge.isEmpty {
                let message = toEdge.removeFirst()
                let actions = edge.handle(.received(.secureAggregation(SecureAggregationMessage(roundID: 4, body: .toClient(message)))),
                                          now: EdgeInstanceTests.now)
                all += actions
                try deliver(actions)
            }
            return all
        }
    }

    static func offer() throws -> RoundOffer {
        var offer = try EdgeSamples.offer(round: 4, version: 1)
        offer.secureAggregation = SecureRoundParameters(configuration: configuration, clientIndex: 0,
                                                        phaseDeadlines: Array(repeating: Date(timeIntervalSinceNow: 600), count: 4))
        return offer
    }

    @Test func theTrainedUpdateIsMaskedNotSentAndTheSumHoldsIt() throws {
        var round = try Round()
        try round.perform(round.server.start(now: round.now))
        // The offer: keys at once, and the round's window read (training starts).
        let offered = round.edge.handle(.received(.roundOffer(try Self.offer())), now: EdgeInstanceTests.now)
        #expect(offered.contains { if case .sendSecure(let m) = $0, case .fromClient(.advertiseKeys) = m.body { true } else { false } })
        try round.deliver(offered)
        for index in [1, 2] { try round.perform(round.server.received(try round.others[index]!.start(), from: index, now: round.now)) }
        // Phase 2 while training; phase 3's request waits for the input.
        let waiting = try round.flushToEdge()
        #expect(EdgeInstanceTests.names(waiting).contains("emit maskedInputRequested(round: 4)"))
        guard case .readWindow(let job, _, _)? = offered.last else { Issue.record("no window read: \(EdgeInstanceTests.names(offered))"); return }
        let data = EdgeSamples.data(count: 40, seed: 21)
        let read = round.edge.handle(.windowRead(job: job, .success(EdgeTrainingWindow(data: data, retired: Dataset(featureCount: 4), mark: 40, retiredThrough: 0))),
                                     now: EdgeInstanceTests.now)
        guard case .train(_, let offer, let trainer)? = read.last else { Issue.record("no training"); return }
        let outcome = try trainer.answer(offer)
        _ = round.edge.handle(.trainingFinished(job: job, .success(outcome)), now: EdgeInstanceTests.now)
        let saved = round.edge.handle(.roundSaved(job: job, failure: nil), now: EdgeInstanceTests.now)
        // No Update leaves: the masked vector does.
        #expect(!saved.contains { if case .sendUpdate = $0 { true } else { false } }, "\(EdgeInstanceTests.names(saved))")
        #expect(EdgeInstanceTests.names(saved).contains { $0.hasPrefix("emit maskedInputSent(round: 4, examples: 40") })
        try round.deliver(saved)
        let unmasked = try round.flushToEdge()
        #expect(EdgeInstanceTests.names(unmasked).contains("emit secureRoundAnswered(round: 4)"))

        // The sum holds the others' inputs and the edge's own, which is its Update clipped to the layout.
        let sum = try #require(round.sum)
        #expect(sum.contributors == [0, 1, 2])
        let layout = Self.layout
        let update = outcome.update
        let mine = try FisherWeightedInput.segments(
            for: layout, delta: try LearningWire.flatten(update.delta, layout: EdgeSamples.spec.parameterLayout, field: "delta"),
            fisher: try update.fisher.map { try LearningWire.flatten($0, layout: EdgeSamples.spec.parameterLayout, field: "fisher") },
            examples: Int(update.numExamples))
        for (s, segment) in layout.segments.enumerated() {
            let bound = segment.encoding.sumErrorBound(summands: 3)
            for (j, value) in sum.decoded(with: layout)[s].enumerated() {
                let expected = Double(mine[s][j]) + Double(round.otherInputs[1]![s][j]) + Double(round.otherInputs[2]![s][j])
                #expect(abs(value - expected) <= bound + 1e-9 * abs(expected), "\(segment.name)[\(j)]: \(value) against \(expected)")
            }
        }
    }

    @Test func aRequestForBothOfOneClientsSharesIsRefusedAndEndsItsPart() throws {
        var round = try Round()
        try round.perform(round.server.start(now: round.now))
        let offered = round.edge.handle(.received(.roundOffer(try Self.offer())), now: EdgeInstanceTests.now)
        try round.deliver(offered)
        for index in [1, 2] { try round.perform(round.server.received(try round.others[index]!.start(), from: index, now: round.now)) }
        _ = try round.flushToEdge()
        guard case .readWindow(let job, _, _)? = offered.last else { Issue.record("no window read"); return }
        let data = EdgeSamples.data(count: 40, seed: 21)
        let read = round.edge.handle(.windowRead(job: job, .success(EdgeTrainingWindow(data: data, retired: Dataset(featureCount: 4), mark: 40, retiredThrough: 0))),
                                     now: EdgeInstanceTests.now)
        guard case .train(_, let offer, let trainer)? = read.last else { Issue.record("no training"); return }
        _ = round.edge.handle(.trainingFinished(job: job, .success(try trainer.answer(offer))), now: EdgeInstanceTests.now)
        _ = round.edge.handle(.roundSaved(job: job, failure: nil), now: EdgeInstanceTests.now)
        // A dishonest coordinator asks for client 1's self-mask share and its masking-key share.
        let both = SecureAggregationMessage(roundID: 4, body: .toClient(.unmask(selfMaskOwners: [1], maskingKeyOwners: [1])))
        let actions = round.edge.handle(.received(.secureAggregation(both)), now: EdgeInstanceTests.now)
        let refusal = actions.compactMap { action -> String? in
            if case .sendSecure(let m) = action, case .refusal(0, let code, _) = m.body { code } else { nil }
        }
        #expect(refusal == ["bothSharesRequested"], "\(EdgeInstanceTests.names(actions))")
        #expect(EdgeInstanceTests.names(actions).contains { $0.contains("refused secure aggregation") })
        // Its part is over: a second, honest request gets nothing.
        let again = SecureAggregationMessage(roundID: 4, body: .toClient(.unmask(selfMaskOwners: [1], maskingKeyOwners: [])))
        #expect(round.edge.handle(.received(.secureAggregation(again)), now: EdgeInstanceTests.now).isEmpty)
    }
}
