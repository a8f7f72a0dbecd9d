/// What one incremental job did and how the candidate compares with its parent.
public struct JobReport: Sendable, Codable, Equatable {
    public var examples: Int
    public var epochs: Int
    public var steps: Int
    /// Replay examples mixed into the steps.
    public var replayedExamples: Int
    /// Mean training loss (data term) per epoch.
    public var epochLosses: [Double]
    /// The parent and the candidate on the new data.
    public var newDataBefore: Evaluation.Result
    public var newDataAfter: Evaluation.Result
    /// The parent and the candidate on what the replay buffer held before this job: a proxy for
    /// the old tasks (backward transfer) that needs no other data.
    public var pastDataBefore: Evaluation.Result?
    public var pastDataAfter: Evaluation.Result?
    /// The parent and the candidate on the held-out set, when one was given.
    public var heldOutBefore: Evaluation.Result?
    public var heldOutAfter: Evaluation.Result?
    /// Fraction of predictions unchanged between parent and candidate, on the held-out set if
    /// given, else on the new data plus the past buffer.
    public var stability: Double
    /// ‖θ_candidate − θ_parent‖₂.
    public var parameterDeltaNorm: Double
    /// EWC penalty λ/2 Σ F (θ − θ*) of the candidate against the parent's EWC state.
    public var ewcPenalty: Double
    /// Mean and maximum of the Fisher diagonal measured on the new data (0 without EWC).
    public var fisherMean: Double
    public var fisherMax: Double
    public var trainingSeconds: Double
    public var fisherSeconds: Double
}

/// Progress of a running job, reported after every step.
public struct JobProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var step: Int
    public var stepsPerEpoch: Int
    public var meanLoss: Double
}

/// A job's outcome: the candidate checkpoint (not yet promoted) and the report.
public struct JobResult: Sendable {
    public var candidate: Checkpoint
    public var report: JobReport
    /// The diagonal Fisher measured on this job's data at the candidate (nil without EWC): what
    /// an edge sends with its delta.
    public var fisher: [Float]?
    /// Δ = candidate − parent parameters (``ParameterDelta``), computed once by the job: what an
    /// edge sends and a simulated client folds.
    public var delta: [Float]
}
