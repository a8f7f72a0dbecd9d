import ArgumentParser
import Foundation
import TributaryLearning

/// `tributary bench`: training throughput and Fisher cost on one thread (docs/benchmarks.md).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure training throughput (examples/s) and Fisher cost on one thread.")

    @Option(help: "Hidden widths of the MLPs to measure, ';'-separated lists (64-wide input, 10 outputs).")
    var models: String = "64;256,256"
    @Option(help: "Training examples (synthetic, seeded).") var examples: Int = 8192
    @Option(help: "Epochs per measurement.") var epochs: Int = 5
    @Option(help: "Batch size.") var batchSize: Int = 32
    @Option(help: "Repetitions; the median is reported.") var repeats: Int = 5
    @Flag(help: "Print JSON lines instead of a table.") var json = false

    func run() throws {
        BLAS.setThreadCount(1)
        var generator = SeededGenerator(seed: 1)
        var data = Dataset(featureCount: 64)
        for _ in 0..<examples {
            data.append(features: (0..<64).map { _ in generator.nextGaussian() }, label: Int32(generator.nextInt(below: 10)))
        }
        if !json { print("OpenBLAS kernel: \(BLAS.coreName), threads: \(BLAS.threadCount)") }
        for hidden in models.split(separator: ";") {
            let widths = try hidden.split(separator: ",").map { (part: Substring) -> Int in
                guard let width = Int(part) else { throw ValidationError("--models: '\(part)' is not a width") }
                return width
            }
            let spec = try ModelSpec.mlp(input: 64, hidden: widths, outputs: 10)
            let name = "64-" + widths.map(String.init).joined(separator: "-") + "-10"
            var throughput: [Double] = [], fisherPerThousand: [Double] = []
            for repeat_ in 0..<repeats {
                let plan = TrainingPlan(epochs: epochs, batchSize: batchSize, ewc: EWCConfiguration(lambda: 1))
                let start = try Checkpoint.fresh(spec: spec, seed: UInt64(repeat_), plan: plan)
                let report = try IncrementalJob(plan: plan).run(from: start, data: data).report
                throughput.append(Double(examples * epochs) / report.trainingSeconds)
                fisherPerThousand.append(report.fisherSeconds / Double(examples) * 1000)
            }
            let medianThroughput = throughput.sorted()[repeats / 2], medianFisher = fisherPerThousand.sorted()[repeats / 2]
            if json {
                print("{\"impl\":\"tributary\",\"model\":\"\(name)\",\"batch\":\(batchSize),\"examples_per_s\":\(Int(medianThroughput)),\"fisher_ms_per_1000\":\(String(format: "%.2f", medianFisher * 1000))}")
            } else {
                print(String(format: "%-16@ batch %d: %9.0f examples/s   Fisher %.2f ms per 1,000 examples", name as NSString, batchSize, medianThroughput, medianFisher * 1000))
            }
        }
    }
}
