// The accuracy cost of compressed and differentially private uploads on the federated digits
// protocol: runs `FederatedRunner` (the configuration of `tributary federate`) with every client's
// delta and Fisher passed through an upload codec, and prints ACC, BWT and bytes against Float32.
//
//   swift run TributaryCompressionBench --scenario split --seed 0 --codec DELTA+FISHER
//     (delta fp32 | int8 | topk10, Fisher fp32 | fp16 | int8 | int8sqrt (square-root companded); fp32 = fp32+fp32, int8 = int8+int8, topk10 = topk10+int8)
//   swift run TributaryCompressionBench --scenario split --seed 0 --codec clip|dp [--epsilon 4] [--clip 1]
//
// clip and dp are DP-FedAvg: no Fisher leaves a client (no global EWC state; replay and masking
// stay), every delta is clipped to L2 --clip and weighted equally; dp adds distributed Gaussian
// noise (each of the round's k participants adds σ/√k, so the sum carries σ = z·clip) with z the
// smallest noise multiplier for which all rounds at sampling rate 1 stay within (--epsilon, 1e-5).
import Foundation
import TributaryAggregation
import TributaryCompression
import TributaryExperiments
import TributaryLearning
import TributaryNumerics
import TributaryPrivacy

struct Options {
    var scenario = DigitsBenchmark.Scenario.split
    var seed: UInt64 = 7
    var codec = "int8"
    var data = "data/digits.csv"
    var epsilon = 4.0
    var clip: Float = 1

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("flag \(flag) needs a value") }
            switch flag {
            case "--scenario":
                guard let scenario = DigitsBenchmark.Scenario(rawValue: value) else { throw BenchError("--scenario is \(value); use split or permuted") }
                self.scenario = scenario
            case "--seed":
                guard let seed = UInt64(value) else { throw BenchError("--seed is \(value); use a non-negative integer") }
                self.seed = seed
            case "--codec":
                let aliases = ["fp32": "fp32+fp32", "int8": "int8+int8", "topk10": "topk10+int8", "clip": "clip", "dp": "dp"]
                let deltas = ["fp32", "int8", "topk10"], fishers = ["fp32", "fp16", "int8", "int8sqrt"]
                let parts = value.split(separator: "+").map(String.init)
                guard aliases[value] != nil || (parts.count == 2 && deltas.contains(parts[0]) && fishers.contains(parts[1])) else {
                    throw BenchError("--codec is \(value); use DELTA+FISHER (delta fp32, int8 or topk10; Fisher fp32, fp16, int8 or int8sqrt), fp32, int8, topk10, clip or dp")
                }
                codec = aliases[value] ?? value
            case "--epsilon":
                guard let epsilon = Double(value), epsilon > 0 else { throw BenchError("--epsilon is \(value); use a number above 0") }
                self.epsilon = epsilon
            case "--clip":
                guard let clip = Float(value), clip > 0 else { throw BenchError("--clip is \(value); use a number above 0") }
                self.clip = clip
            case "--data": data = value
            default: throw BenchError("unknown flag \(flag); flags: --scenario --seed --codec --epsilon --clip --data")
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The upload hook for a codec: each client's delta and Fisher are encoded, the bytes counted,
/// and the server folds the decoded vectors. Top-k keeps each client's residual across rounds.
final class UploadCodec {
    let codec: String
    var generator: SeededGenerator
    var residuals: [Int: ErrorFeedbackResidual] = [:]
    let int8: Int8Quantizer
    let int8SquareRoot: Int8Quantizer
    let topK: TopKSparsifier

    /// DP-FedAvg (codecs clip and dp): the clipping, the noise (nil: none) and each task's participants.
    var clipping: DeltaClipping?
    var noise: GaussianNoise?
    var participants: [Int] = []
    var roundsPerTask = 1

    init(codec: String, seed: UInt64) throws {
        int8 = try Int8Quantizer()
        int8SquareRoot = try Int8Quantizer(companding: .squareRoot)
        topK = try TopKSparsifier(fraction: 0.1)
        self.codec = codec
        generator = SeededGenerator(seed: seed ^ 0xC0DEC)
    }

    func privatise(update: inout ClientUpdate) throws -> Int {
        guard let clipping else { return 0 }
        update.delta = try clipping.clip(update.delta).clipped
        update.fisher = nil
        update.examples = 1
        if let noise {
            let k = participants[Int(update.roundID - 1) / roundsPerTask]
            let share = try GaussianNoise(noiseMultiplier: noise.noiseMultiplier, clipBound: noise.clipBound, placement: .distributed(clients: k))
            share.add(to: &update.delta, generator: &generator)
        }
        return 4 * update.delta.count
    }

    /// What the same uploads take as Float32 deltas and Fishers.
    var float32Bytes = 0

    func apply(client: Int, update: inout ClientUpdate) throws -> Int {
        if clipping != nil {
            float32Bytes += 4 * update.delta.count
            return try privatise(update: &update)
        }
        float32Bytes += 4 * (update.delta.count + (update.fisher?.count ?? 0))
        let parts = codec.split(separator: "+").map(String.init)
        var bytes = 0
        switch parts[0] {
        case "int8": update.delta = try int8RoundTrip(update.delta, bytes: &bytes)
        case "topk10":
            var residual = residuals[client] ?? ErrorFeedbackResidual(count: update.delta.count)
            let sparse = try topK.encode(update.delta, residual: &residual)
            residuals[client] = residual
            bytes += sparse.serialized.count
            update.delta = try SparseVector(serialized: sparse.serialized).decoded()
        default: bytes += 4 * update.delta.count
        }
        if let fisher = update.fisher {
            switch parts[1] {
            // Stochastic rounding is unbiased but a small Fisher entry often rounds to 0; the
            // aggregator's ε keeps such parameters from dividing by zero.
            case "int8": update.fisher = try int8RoundTrip(fisher, bytes: &bytes)
            case "int8sqrt": update.fisher = try int8RoundTrip(fisher, quantizer: int8SquareRoot, bytes: &bytes)
            case "fp16":
                let encoded = try Float16Vector(encoding: fisher).serialized
                bytes += encoded.count
                update.fisher = try Float16Vector(serialized: encoded).decoded()
            default: bytes += 4 * fisher.count
            }
        }
        return bytes
    }

    /// The vector as the server reads it after int8 with per-block scales; adds the payload's bytes.
    private func int8RoundTrip(_ values: [Float], quantizer: Int8Quantizer? = nil, bytes: inout Int) throws -> [Float] {
        let quantizer = quantizer ?? int8
        let encoded = try quantizer.encode(values, generator: &generator).serialized
        bytes += encoded.count
        return try Int8Blocks(serialized: encoded, companding: quantizer.companding).decoded()
    }
}

BLAS.setThreadCount(1)
do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    var configuration = FederatedConfiguration()
    configuration.seed = options.seed
    let tasks = DigitsBenchmark.tasks(options.scenario, data: try DigitsBenchmark.load(path: options.data), seed: options.seed)
    let codec = try UploadCodec(codec: options.codec, seed: options.seed)
    var privacy = ""
    if options.codec == "clip" || options.codec == "dp" {
        configuration.ewcLambda = 0
        configuration.rule = .fedAvg
        codec.clipping = try DeltaClipping(l2Bound: options.clip)
        codec.roundsPerTask = configuration.roundsPerTask
        codec.participants = tasks.indices.map { index in
            Partition.dirichlet(labels: tasks[index].train.labels, clients: configuration.clients, alpha: configuration.dirichletAlpha!, seed: options.seed &+ UInt64(index))
                .clients.filter { !$0.isEmpty }.count
        }
        privacy = ", clip \(options.clip)"
        if options.codec == "dp" {
            let rounds = tasks.count * configuration.roundsPerTask
            let z = try RDPAccountant.noiseMultiplier(forEpsilon: options.epsilon, delta: 1e-5, samplingRate: 1, rounds: rounds)
            codec.noise = try GaussianNoise(noiseMultiplier: z, clipBound: Double(options.clip), placement: .trustedServer)
            let spent = try RDPAccountant.epsilon(samplingRate: 1, noiseMultiplier: z, rounds: rounds, delta: 1e-5)
            privacy += String(format: ", z %.2f, ε %.2f at δ 1e-5 after %d rounds", z, spent, rounds)
                + ", participants per task " + codec.participants.map(String.init).joined(separator: "/")
        }
    }
    let result = try FederatedRunner.run(tasks: tasks, configuration: configuration, upload: codec.apply)
    let matrix = result.matrix
    print("scenario \(options.scenario.rawValue) seed \(options.seed) codec \(options.codec): ACC \(String(format: "%.1f", 100 * matrix.averageAccuracy)) BWT \(String(format: "%.1f", 100 * matrix.backwardTransfer)) bytes \(result.uploadedBytes) (\(String(format: "%.3f", Double(result.uploadedBytes) / Double(codec.float32Bytes)))× of the same uploads in Float32)\(privacy)")
} catch {
    print("error: \(error)")
    exit(1)
}
