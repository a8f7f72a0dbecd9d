import ArgumentParser
import Foundation
import TributaryLearning
import TributarySystem

/// `tributary init`: a fresh checkpoint from a model spec.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a fresh checkpoint from a model spec.")

    @Option(help: "Where to write the checkpoint.") var out: String
    @Option(help: "A model spec as JSON (see docs/algorithms.md); or use --inputs/--hidden/--outputs.") var spec: String?
    @Option(help: "Input features.") var inputs: Int?
    @Option(help: "Hidden layer widths, comma-separated (e.g. 64 or 256,256).") var hidden: String = "64"
    @Option(help: "Outputs (classes).") var outputs: Int?
    @Option(help: "Hidden activation: relu, tanh, sigmoid, identity.") var activation: String = "relu"
    @Option(help: "Loss: softmaxCrossEntropy, binaryCrossEntropy, meanSquaredError.") var loss: String = "softmaxCrossEntropy"
    @Option(help: "Optimizer: sgd or adam.") var optimizer: String = "sgd"
    @Option(help: "SGD momentum.") var momentum: Float = 0
    @Flag(help: "Nesterov momentum (SGD).") var nesterov = false
    @Option(help: "L2 weight decay.") var weightDecay: Float = 0
    @Option(help: "Replay buffer capacity (0: no replay).") var replay: Int = 0
    @Option(help: "Replay policy: reservoir, class-balanced, sliding-window, decay:HALFLIFE.") var replayPolicy: String = "reservoir"
    @Option(help: "Seed for the initial weights and every later random draw.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp(
        "A sample CSV (label in the last column): the model carries a standardiser fitted to its features and the header's names.",
        valueName: "FILE.csv")) var fitData: String?
    @Flag(help: "Overwrite an existing checkpoint.") var force = false
    @OptionGroup(title: "Default training plan") var plan: PlanOptions

    func run() throws {
        if !force, FileManager.default.fileExists(atPath: out) {
            throw ValidationError("--out: \(out) already exists (use --force to overwrite)")
        }
        let sample = try fitData.map { try FittedSample(path: $0) }
        let modelSpec = try makeSpec(sampleWidth: sample?.preprocessing.featureCount)
        if let sample, sample.preprocessing.featureCount != modelSpec.inputSize {
            throw ValidationError("--fit-data \(sample.path) has \(sample.preprocessing.featureCount) features; the model spec (--inputs/--spec) takes \(modelSpec.inputSize)")
        }
        let optimizerConfiguration: OptimizerConfiguration
        let lr = plan.lr ?? 0.05
        switch optimizer {
        case "sgd": optimizerConfiguration = .sgd(SGD(learningRate: lr, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay))
        case "adam": optimizerConfiguration = .adam(Adam(learningRate: lr, weightDecay: weightDecay))
        default: throw ValidationError("--optimizer must be sgd or adam, got '\(optimizer)'")
        }
        let checkpoint = try Checkpoint.fresh(
            spec: modelSpec, seed: seed, optimizer: optimizerConfiguration,
            replay: ReplayConfiguration(capacity: replay, policy: try parsePolicy()),
            plan: try defaultPlan(), preprocessing: sample?.preprocessing)
        let digest = try CheckpointStore.save(checkpoint, to: out)
        let layers = ([modelSpec.inputSize] + modelSpec.layers.map(\.units)).map(String.init).joined(separator: "-")
        print("wrote \(out): MLP \(layers), \(checkpoint.parameters.count) parameters, sha256 \(digest.prefix(16))…")
        if let sample { print(sample.summary) }
    }

    /// The plan stored as the checkpoint's default; --lr goes to the optimizer instead.
    private func defaultPlan() throws -> TrainingPlan {
        var stored = try plan.apply(to: TrainingPlan(epochs: 1, batchSize: 32))
        stored.learningRate = nil
        return stored
    }

    /// `sampleWidth`: the --fit-data file's feature count, the default for --inputs.
    private func makeSpec(sampleWidth: Int?) throws -> ModelSpec {
        if let spec {
            let bytes = try AtomicFile.read(spec)
            do {
                let decoded = try JSONDecoder().decode(ModelSpec.self, from: Data(bytes))
                try decoded.validate()
                return decoded
            } catch let error as LearningError {
                throw LearningError(error.code, "--spec \(spec): \(error.reason)")
            } catch {
                throw ValidationError("--spec \(spec): not a valid model spec: \(error)")
            }
        }
        guard let inputs = inputs ?? sampleWidth else { throw ValidationError("give --spec FILE, or --inputs and --outputs") }
        guard let outputs else { throw ValidationError("--outputs is required with --inputs") }
        let widths = try hidden.split(separator: ",").map {
            guard let width = Int($0) else { throw ValidationError("--hidden: '\($0)' is not a layer width") }
            return width
        }
        guard let activationKind = Activation(rawValue: activation) else {
            throw ValidationError("--activation must be one of \(Activation.allCases.map(\.rawValue).joined(separator: ", ")), got '\(activation)'")
        }
        guard let lossKind = Loss(rawValue: loss) else {
            throw ValidationError("--loss must be one of \(Loss.allCases.map(\.rawValue).joined(separator: ", ")), got '\(loss)'")
        }
        return try ModelSpec.mlp(input: inputs, hidden: widths, outputs: outputs, activation: activationKind, loss: lossKind)
    }

    private func parsePolicy() throws -> ReplayPolicy {
        switch replayPolicy {
        case "reservoir": return .reservoir
        case "class-balanced": return .classBalanced
        case "sliding-window": return .slidingWindow
        case let text where text.hasPrefix("decay:"):
            guard let halfLife = Int(text.dropFirst(6)), halfLife > 0 else {
                throw ValidationError("--replay-policy decay:HALFLIFE needs a positive whole number, got '\(text)'")
            }
            return .exponentialDecay(halfLife: halfLife)
        default:
            throw ValidationError("--replay-policy must be reservoir, class-balanced, sliding-window or decay:HALFLIFE, got '\(replayPolicy)'")
        }
    }
}
