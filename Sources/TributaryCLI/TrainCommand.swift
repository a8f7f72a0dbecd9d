import ArgumentParser
import Foundation
import TributaryLearning
import TributarySystem

/// `tributary train`: one incremental job on a checkpoint and a CSV of new data.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Run one incremental job: update a checkpoint from a new batch of data.")

    @Option(help: "The checkpoint to start from.") var checkpoint: String
    @Option(help: "CSV of new examples.") var data: String
    @Option(help: "Where to write the candidate (default: replace --checkpoint, atomically).") var out: String?
    @Option(help: "A held-out CSV to evaluate parent and candidate on.") var heldOut: String?
    @Option(help: "Write the job report as JSON here.") var reportJson: String?
    @Flag(help: "No progress display.") var quiet = false
    @OptionGroup(title: "Data") var dataOptions: DataOptions
    @OptionGroup(title: "Training plan (overrides the checkpoint's defaults)") var plan: PlanOptions

    func run() throws {
        BLAS.setThreadCount(1)
        let (parent, parentDigest) = try CheckpointStore.load(from: checkpoint)
        let classCount = parent.spec.outputSize > 1 ? parent.spec.outputSize : 2
        let newData = try dataOptions.load(data, classCount: classCount, for: parent)
        let heldOutData = try heldOut.map { try dataOptions.load($0, classCount: classCount, for: parent) }
        let job = IncrementalJob(plan: try plan.apply(to: parent.plan))
        let result = try job.run(from: parent, data: newData, heldOut: heldOutData) { progress in
            guard !quiet, Terminal.isInteractive || progress.step == progress.stepsPerEpoch else { return }
            let done = Double((progress.epoch - 1) * progress.stepsPerEpoch + progress.step) / Double(progress.epochs * progress.stepsPerEpoch)
            Terminal.status("\(Terminal.bar(done)) epoch \(progress.epoch)/\(progress.epochs) step \(progress.step)/\(progress.stepsPerEpoch) loss \(String(format: "%.4f", progress.meanLoss))")
        }
        if !quiet { Terminal.clearStatus() }
        let target = out ?? checkpoint
        let digest = try CheckpointStore.save(result.candidate, to: target)
        let report = result.report
        func line(_ name: String, _ before: Evaluation.Result?, _ after: Evaluation.Result?) -> String? {
            guard let before, let after else { return nil }
            if let rmseBefore = before.rootMeanSquaredError, let rmseAfter = after.rootMeanSquaredError {
                return String(format: "  %-10@ RMSE %.4g → %.4g   MAE %.4g   loss %.4f → %.4f  (%d examples)", name as NSString, rmseBefore, rmseAfter,
                              after.meanAbsoluteError ?? 0, before.loss, after.loss, after.count)
            }
            return String(format: "  %-10@ accuracy %5.1f%% → %5.1f%%   loss %.4f → %.4f  (%d examples)", name as NSString, before.accuracy * 100, after.accuracy * 100, before.loss, after.loss, after.count)
        }
        print("trained \(report.examples) new examples, \(report.epochs) epochs, \(report.steps) steps, \(report.replayedExamples) replayed")
        for text in [
            line("new data", report.newDataBefore, report.newDataAfter), line("past", report.pastDataBefore, report.pastDataAfter),
            line("held-out", report.heldOutBefore, report.heldOutAfter),
        ].compactMap({ $0 }) { print(text) }
        print(String(format: "  stability %.1f%%   ‖Δθ‖ %.4f   EWC penalty %.4f   Fisher mean %.3g max %.3g", report.stability * 100, report.parameterDeltaNorm, report.ewcPenalty, report.fisherMean, report.fisherMax))
        print("wrote \(target): generation \(result.candidate.lineage.generation), sha256 \(digest.prefix(16))…, parent \(parentDigest.prefix(16))…")
        if let reportJson {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(Array(try encoder.encode(report)), to: reportJson)
        }
    }
}
