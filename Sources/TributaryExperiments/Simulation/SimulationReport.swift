import Foundation
import TributaryLearning

/// What `tributary simulate` measured, written as report.json.
public struct SimulationReport: Sendable, Codable, Equatable {
    /// One round as the coordinator and the simulation saw it.
    public struct Round: Sendable, Codable, Equatable {
        /// 0-based task index and round within the task.
        public var task: Int
        public var roundInTask: Int
        /// The coordinator's round id.
        public var roundID: UInt64
        /// "promoted", "rejected" (by the evaluation gate) or "abandoned" (quorum not met).
        public var outcome: String
        /// The live model version after the round.
        public var version: UInt64
        public var offered: Int
        public var accepted: Int
        public var refused: Int
        public var dropped: Int
        public var slow: Int
        public var restarted: Int
        /// Accuracy of the live model on every task's test set after the round.
        public var accuracy: [Double]
        /// Bytes the clients sent (Updates: deltas, Fishers, metrics) and the coordinator sent
        /// (RoundOffers, ModelReleases), as counted by the transport.
        public var bytesFromClients: Int
        public var bytesToClients: Int
        public var wallSeconds: Double
        /// A regression run's mean absolute error of the live model on every task's test set
        /// (`accuracy` then holds RMSE); nil for a classifier.
        public var meanAbsoluteError: [Double]? = nil
        /// Why the round was abandoned (nil: it was not).
        public var abandonReason: String? = nil
        /// Bytes of delta and Fisher one accepted Update carried on average (`bytesFromClients` /
        /// `accepted`); nil when no Update was accepted.
        public var bytesPerUpload: Int? = nil
        /// Under differential privacy: ε spent after this round (at the report's `privacy` δ); nil without DP.
        public var epsilon: Double? = nil
        /// Under differential privacy: the noise multiplier z of the round's sums.
        public var noiseMultiplier: Double? = nil

        public init(task: Int, roundInTask: Int, roundID: UInt64, outcome: String, version: UInt64, offered: Int, accepted: Int,
                    refused: Int, dropped: Int, slow: Int, restarted: Int, accuracy: [Double], bytesFromClients: Int,
                    bytesToClients: Int, wallSeconds: Double) {
            self.task = task
            self.roundInTask = roundInTask
            self.roundID = roundID
            self.outcome = outcome
            self.version = version
            self.offered = offered
            self.accepted = accepted
            self.refused = refused
            self.dropped = dropped
            self.slow = slow
            self.restarted = restarted
            self.accuracy = accuracy
            self.bytesFromClients = bytesFromClients
            self.bytesToClients = bytesToClients
            self.wallSeconds = wallSeconds
        }
    }

    public var scenario: String
    public var clients: Int
    public var partition: String
    public var taskNames: [String]
    public var roundsPerTask: Int
    public var faults: FaultConfiguration
    public var seed: UInt64
    public var rounds: [Round]
    /// R[i][j]: accuracy on task j after the last round of task i; with ACC/BWT/FWT.
    public var matrix: AccuracyMatrix
    public var acc: Double
    public var bwt: Double
    public var fwt: Double
    public var totalWallSeconds: Double
    /// How the edges encoded their Updates (`--compress`, `--compress-fisher`), e.g. `int8+int8`.
    public var compression: String? = nil
    /// What one Update's delta and Fisher take in Float32 (4 bytes a parameter, twice when the
    /// rounds use the Fisher): the reference of ``uploadRatio``.
    public var fp32UploadBytes: Int? = nil
    /// Mean bytes per accepted Update over the run, against ``fp32UploadBytes`` (in report.json).
    public var uploadRatio: Double? = nil

    /// Sets ``fp32UploadBytes`` and ``uploadRatio`` from the rounds' bytes and accepted Updates.
    public mutating func measureUploads(fp32UploadBytes fp32: Int) {
        fp32UploadBytes = fp32
        let accepted = rounds.reduce(0) { $0 + $1.accepted }
        guard accepted > 0, fp32 > 0 else { return }
        uploadRatio = Double(rounds.reduce(0) { $0 + $1.bytesFromClients }) / Double(accepted) / Double(fp32)
    }
    /// Under differential privacy: the mode, budget, δ and clip (nil without DP).
    public var privacy: String? = nil
    /// Why the run ended before its last round (the coordinator's stop reason, e.g. the privacy budget); nil: it ran every round.
    public var stoppedReason: String? = nil

    public init(scenario: String, clients: Int, partition: String, taskNames: [String], roundsPerTask: Int, faults: FaultConfiguration,
                seed: UInt64, rounds: [Round], baseline: [Double], totalWallSeconds: Double) {
        self.scenario = scenario
        self.clients = clients
        self.partition = partition
        self.taskNames = taskNames
        self.roundsPerTask = roundsPerTask
        self.faults = faults
        self.seed = seed
        self.rounds = rounds
        let lastOfEachTask = Dictionary(grouping: rounds, by: \.task).keys.sorted().compactMap { task in
            rounds.last(where: { $0.task == task })?.accuracy
        }
        self.matrix = AccuracyMatrix(values: lastOfEachTask, baseline: baseline)
        self.acc = matrix.averageAccuracy
        self.bwt = matrix.backwardTransfer
        self.fwt = matrix.forwardTransfer
        self.totalWallSeconds = totalWallSeconds
    }

    /// report.json: pretty, keys sorted, so two runs with the same seed diff cleanly.
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self))
    }

    /// accuracy.svg: accuracy per task over rounds (with `errorScale`, a regression run's RMSE on
    /// an axis from 0 to that value).
    public func chart(title: String, errorScale: Double? = nil) -> String {
        AccuracyChart.svg(roundAccuracy: rounds.map(\.accuracy), taskNames: taskNames, roundsPerTask: roundsPerTask, title: title,
                          errorScale: errorScale)
    }

    /// The largest value any round recorded (a regression run's chart scale).
    public var largestValue: Double { (rounds.flatMap(\.accuracy) + matrix.baseline).max() ?? 1 }

    /// A table of the rounds for the terminal; `metric` names the last column (a regression run's
    /// values are RMSE, printed as they are, not as percent).
    public func roundTable(metric: String = "accuracy per task (%)") -> String {
        let percent = metric.hasSuffix("(%)")
        var lines = ["task round  id outcome   version accepted/offered dropped slow restarted  MB up  B/upload  MB down  wall s  " + metric]
        for round in rounds {
            let accuracy = round.accuracy.map { percent ? String(format: "%3.0f", $0 * 100) : String(format: "%.3f", $0) }.joined(separator: " ")
            lines.append(String(
                format: "%4d %5d %3d %-9@ %7d %8d/%-7d %7d %4d %9d %6.2f %9d %8.2f %7.2f  %@",
                round.task + 1, round.roundInTask + 1, Int(round.roundID), round.outcome as NSString, Int(round.version), round.accepted,
                round.offered, round.dropped, round.slow, round.restarted, Double(round.bytesFromClients) / 1e6, round.bytesPerUpload ?? 0,
                Double(round.bytesToClients) / 1e6, round.wallSeconds, accuracy as NSString) + (round.epsilon.map { String(format: "  ε %.3g", $0) } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
