/// Client → coordinator: the answer to an ``EvaluateRequest``, as counts per class (and per task
/// where the client knows its examples' tasks). Aggregate counts only, never an example.
public struct EvaluateResult: Sendable, Hashable {
    /// Correct and total predictions of one class or task; `correct <= total`, `total > 0`.
    public struct Count: Sendable, Hashable {
        public var correct: UInt64
        public var total: UInt64

        public init(correct: UInt64, total: UInt64) {
            self.correct = correct
            self.total = total
        }
    }

    /// The request's `evaluation_id`; non-zero.
    public var evaluationID: UInt64
    /// The version evaluated; non-zero.
    public var version: UInt64
    /// Per class label.
    public var classes: [UInt32: Count]
    /// Per task name (optional).
    public var tasks: [String: Count]
    /// Why nothing was evaluated; at most 256 bytes.
    public var reason: String

    public init(evaluationID: UInt64, version: UInt64, classes: [UInt32: Count], tasks: [String: Count] = [:], reason: String = "") {
        self.evaluationID = evaluationID
        self.version = version
        self.classes = classes
        self.tasks = tasks
        self.reason = reason
    }

    /// Examples evaluated, over all classes.
    public var total: UInt64 { classes.values.reduce(0) { $0 + $1.total } }
    /// Examples predicted right, over all classes.
    public var correct: UInt64 { classes.values.reduce(0) { $0 + $1.correct } }

    func validate() throws {
        try requireNonZero(evaluationID, "EvaluateResult.evaluation_id")
        try requireNonZero(version, "EvaluateResult.version")
        for (label, count) in classes {
            try Self.check(count, "EvaluateResult.classes (label \(label))")
        }
        for (task, count) in tasks {
            try requireName(task, "EvaluateResult.tasks.task", maxBytes: 64)
            try Self.check(count, "EvaluateResult.tasks (task \(task))")
        }
        try require(reason.utf8.count <= 256, .invalidValue, "EvaluateResult.reason is \(reason.utf8.count) bytes; at most 256 allowed")
    }

    private static func check(_ count: Count, _ field: String) throws {
        try require(count.total > 0, .invalidValue, "\(field).total is 0; a listed class or task must have examples")
        try require(count.correct <= count.total, .invalidValue,
                    "\(field).correct is \(count.correct); must be <= total \(count.total)")
    }
}

extension EvaluateResult {
    init(proto: Tributary_V1_EvaluateResult) throws {
        var classes: [UInt32: Count] = [:]
        for entry in proto.classes {
            try require(classes[entry.label] == nil, .invalidValue, "EvaluateResult.classes lists label \(entry.label) twice")
            classes[entry.label] = Count(correct: entry.correct, total: entry.total)
        }
        var tasks: [String: Count] = [:]
        for entry in proto.tasks {
            try require(tasks[entry.task] == nil, .invalidValue, "EvaluateResult.tasks lists task \(entry.task) twice")
            tasks[entry.task] = Count(correct: entry.correct, total: entry.total)
        }
        self.init(evaluationID: proto.evaluationID, version: proto.version, classes: classes, tasks: tasks, reason: proto.reason)
        try validate()
    }

    /// Classes by label and tasks by name, so equal results encode to equal bytes.
    func toProto() -> Tributary_V1_EvaluateResult {
        var proto = Tributary_V1_EvaluateResult()
        proto.evaluationID = evaluationID
        proto.version = version
        func entry(_ count: Count, _ name: (inout Tributary_V1_EvaluateCount) -> Void) -> Tributary_V1_EvaluateCount {
            var entry = Tributary_V1_EvaluateCount()
            name(&entry)
            entry.correct = count.correct
            entry.total = count.total
            return entry
        }
        proto.classes = classes.sorted { $0.key < $1.key }.map { label, count in entry(count) { $0.label = label } }
        proto.tasks = tasks.sorted { $0.key < $1.key }.map { task, count in entry(count) { $0.task = task } }
        proto.reason = reason
        return proto
    }
}
