import TributaryNumerics

/// An evaluate round, apart from I/O: a candidate goes to a seeded sample of edges for evaluation
/// only; each answers per-class (and per-task) correct/total counts on its local held-out set;
/// the summed counts give the example-weighted accuracy the promotion gate reads beside the
/// coordinator's held-out sets.
///
/// Events in (start, answers, departures, clock ticks), actions out; the clock is injected. It
/// ends when every asked edge answered or left, or at the timeout, and the summary says whether
/// enough edges and examples answered for the figure to count.
public struct FederatedEvaluation: Sendable {
    /// Correct and total predictions of one class or task.
    public struct Count: Sendable, Equatable {
        public var correct: UInt64
        public var total: UInt64
        public init(correct: UInt64, total: UInt64) {
            self.correct = correct
            self.total = total
        }
    }

    public enum Action: Sendable, Equatable {
        /// Send the candidate to this client for evaluation (an EvaluateRequest).
        case request(client: String)
        /// Call ``tick(now:)`` at this instant (the timeout).
        case wake(at: ContinuousClock.Instant)
        /// The evaluation is over; nothing further happens.
        case finished(EvaluationSummary)
    }

    public let evaluationID: UInt64
    public let version: UInt64
    public let configuration: EvaluationConfiguration
    public private(set) var asked: Set<String> = []
    private var answered: [String: UInt64] = [:]
    private var left: Set<String> = []
    private var classes: [UInt32: Count] = [:]
    private var tasks: [String: Count] = [:]
    private var deadline: ContinuousClock.Instant?
    public private(set) var summary: EvaluationSummary?

    public init(evaluationID: UInt64, version: UInt64, configuration: EvaluationConfiguration) {
        self.evaluationID = evaluationID
        self.version = version
        self.configuration = configuration
    }

    /// Asks up to `sampleSize` of the eligible clients (connected, able to evaluate), chosen by a
    /// shuffle seeded with the configuration's seed and the evaluation id, so a rerun asks the same.
    public mutating func start(eligible: [String], now: ContinuousClock.Instant) -> [Action] {
        guard deadline == nil, summary == nil else { return [] }
        var pool = Array(Set(eligible)).sorted()
        var generator = SeededGenerator(seed: configuration.seed &+ evaluationID &* 0x9E37_79B9_7F4A_7C15)
        for i in stride(from: pool.count - 1, to: 0, by: -1) { pool.swapAt(i, generator.nextInt(below: i + 1)) }
        asked = Set(pool.prefix(configuration.sampleSize))
        guard asked.count >= configuration.minimumClients else {
            return finish(because: "\(eligible.isEmpty ? "no" : "only \(asked.count)") eligible client\(asked.count == 1 ? "" : "s") can evaluate; \(configuration.minimumClients) needed")
        }
        let due = now + configuration.timeout
        deadline = due
        return asked.sorted().map { .request(client: $0) } + [.wake(at: due)]
    }

    /// A client's answer. Answers from clients not asked, twice from one client, or after the end
    /// are refused with a ``RoundError`` naming the client; the counts must already be valid
    /// (`correct <= total`, the wire checks that).
    public mutating func received(client: String, classes counts: [UInt32: Count], tasks taskCounts: [String: Count] = [:],
                                  now: ContinuousClock.Instant) throws -> [Action] {
        guard summary == nil, deadline != nil else {
            throw RoundError(.lateUpdate, "evaluation \(evaluationID) of version \(version) is over; the answer of \(client) is ignored")
        }
        guard asked.contains(client) else {
            throw RoundError(.notSelected, "\(client) was not asked to evaluate in evaluation \(evaluationID)")
        }
        guard answered[client] == nil else {
            throw RoundError(.duplicateUpdate, "\(client) already answered evaluation \(evaluationID)")
        }
        answered[client] = counts.values.reduce(0) { $0 + $1.total }
        for (label, count) in counts { classes[label, default: Count(correct: 0, total: 0)].add(count) }
        for (task, count) in taskCounts { tasks[task, default: Count(correct: 0, total: 0)].add(count) }
        return finishIfAllIn()
    }

    /// A client disconnected: it will not answer.
    public mutating func clientLeft(_ client: String) -> [Action] {
        guard summary == nil, asked.contains(client), answered[client] == nil else { return [] }
        left.insert(client)
        return finishIfAllIn()
    }

    /// The clock moved; at the timeout the evaluation ends with the answers it has.
    public mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard summary == nil, let deadline, now >= deadline else { return [] }
        let silent = asked.count - answered.count - left.count
        return finish(because: "timed out after \(configuration.timeout) with \(silent) client\(silent == 1 ? "" : "s") silent")
    }

    private mutating func finishIfAllIn() -> [Action] {
        guard answered.count + left.count == asked.count else { return [] }
        return finish(because: left.isEmpty ? "every asked client answered" : "\(left.count) asked client\(left.count == 1 ? "" : "s") left")
    }

    private mutating func finish(because ending: String) -> [Action] {
        let examples = classes.values.reduce(0) { $0 + $1.total }
        var shortfall: String?
        if answered.count < configuration.minimumClients {
            shortfall = "\(answered.count) of \(asked.count) asked clients answered; \(configuration.minimumClients) needed"
        } else if examples < UInt64(configuration.minimumExamples) {
            shortfall = "\(examples) held-out examples over \(answered.count) clients; \(configuration.minimumExamples) needed"
        }
        let result = EvaluationSummary(
            evaluationID: evaluationID, version: version, classes: classes, tasks: tasks,
            clientsAsked: asked.count, clientsAnswered: answered.count, ending: ending, shortfall: shortfall)
        summary = result
        return [.finished(result)]
    }
}

extension FederatedEvaluation.Count {
    mutating func add(_ other: Self) {
        correct += other.correct
        total += other.total
    }

    /// correct / total; nil when nothing was evaluated.
    public var accuracy: Double? { total == 0 ? nil : Double(correct) / Double(total) }
}

/// What an evaluate round measured: summed counts per class and task, how many edges answered,
/// and whether that is enough for the gate to use the figure.
public struct EvaluationSummary: Sendable, Equatable {
    public var evaluationID: UInt64
    public var version: UInt64
    public var classes: [UInt32: FederatedEvaluation.Count]
    public var tasks: [String: FederatedEvaluation.Count]
    public var clientsAsked: Int
    public var clientsAnswered: Int
    /// How it ended ("every asked client answered", "timed out after …").
    public var ending: String
    /// Why the figure does not count (too few clients or examples); nil when it does.
    public var shortfall: String?

    /// All classes together.
    public var overall: FederatedEvaluation.Count {
        classes.values.reduce(into: FederatedEvaluation.Count(correct: 0, total: 0)) { $0.add($1) }
    }

    /// The example-weighted accuracy over every answer, when enough answered; else nil.
    public var accuracy: Double? { shortfall == nil ? overall.accuracy : nil }
}
