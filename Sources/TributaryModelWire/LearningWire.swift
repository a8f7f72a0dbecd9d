import TributaryLearning
import TributaryWire

/// Conversions between the learning layer's flat parameter vectors and the wire's named
/// tensors (`dense1.weight` [out, in], …), in the order of the model's `ParameterLayout`.
public enum LearningWire {
    /// The named tensors of a flat vector laid out as `layout`: the vector itself, not a copy.
    public static func parameterSet(_ values: [Float], layout: ParameterLayout) throws -> ParameterSet {
        precondition(values.count == layout.totalCount, "vector of \(values.count) floats for a layout of \(layout.totalCount)")
        return try ParameterSet(scalars: values, shapes: layout.entries.map { ($0.name, $0.shape) })
    }

    /// The flat vector of `set` (its buffer, not a copy), which must have exactly `layout`'s names
    /// and shapes in order.
    /// - Throws: `LearningError.shapeMismatch` naming the first tensor that differs.
    public static func flatten(_ set: ParameterSet, layout: ParameterLayout, field: String) throws -> [Float] {
        guard set.count == layout.entries.count else {
            throw LearningError(.shapeMismatch,
                                "\(field) has \(set.count) tensors; the model has \(layout.entries.count) (\(layout.names.joined(separator: ", ")))")
        }
        for (named, entry) in zip(set.entries, layout.entries) {
            guard named.name == entry.name, named.shape == entry.shape else {
                throw LearningError(.shapeMismatch,
                                    "\(field) tensor \(named.name)\(named.shape) does not match the model's \(entry.name)\(entry.shape)")
            }
        }
        return set.scalars
    }

    /// An MLP spec read from a layout of `denseK.weight` [out, in] / `denseK.bias` [out]:
    /// ReLU hidden layers, linear output, softmax cross-entropy (the RoundOffer of protocol v1
    /// carries parameters, not the architecture; an edge with a checkpoint uses its own spec).
    public static func inferMLP(_ set: ParameterSet) throws -> ModelSpec {
        var widths: [Int] = []
        var input: Int?
        var index = 1
        while let weight = set.shape(of: "dense\(index).weight") {
            guard weight.count == 2, set.shape(of: "dense\(index).bias") == [weight[0]] else {
                throw LearningError(.invalidModelSpec, "dense\(index) has weight \(weight) and bias \(set.shape(of: "dense\(index).bias") ?? []); expected [out, in] and [out]")
            }
            if input == nil { input = weight[1] }
            widths.append(weight[0])
            index += 1
        }
        guard let input, let outputs = widths.last, set.count == 2 * widths.count else {
            throw LearningError(.invalidModelSpec,
                                "the offered model is not an MLP of dense1…denseN weight/bias tensors: \(set.entries.map(\.name))")
        }
        return try ModelSpec.mlp(input: input, hidden: Array(widths.dropLast()), outputs: outputs)
    }

    /// The wire architecture of a model spec.
    public static func architecture(_ spec: ModelSpec) -> ModelArchitecture {
        ModelArchitecture(
            inputSize: UInt32(spec.inputSize),
            layers: spec.layers.map { ModelArchitecture.Layer(units: UInt32($0.units), activation: ModelArchitecture.Activation(rawValue: $0.activation.rawValue)!) },
            loss: ModelArchitecture.Loss(rawValue: spec.loss.rawValue)!)
    }

    /// The model spec of a wire architecture; throws `invalidModelSpec` naming what does not fit.
    public static func spec(_ architecture: ModelArchitecture) throws -> ModelSpec {
        try ModelSpec(
            inputSize: Int(architecture.inputSize),
            layers: architecture.layers.map { ModelSpec.Layer(units: Int($0.units), activation: Activation(rawValue: $0.activation.rawValue)!) },
            loss: Loss(rawValue: architecture.loss.rawValue)!)
    }

    /// The wire form of a model's preprocessing; nil for identity (absent on the wire).
    public static func preprocessing(_ preprocessing: Preprocessing) -> PreprocessingMessage? {
        guard !preprocessing.isIdentity else { return nil }
        return PreprocessingMessage(
            featureCount: UInt32(preprocessing.featureCount), featureNames: preprocessing.featureNames ?? [],
            mean: preprocessing.standardizer?.mean ?? [], std: preprocessing.standardizer?.std ?? [])
    }

    /// The preprocessing a message carries for a model of `spec` (identity when absent).
    /// - Throws: `LearningError.shapeMismatch` when it is not for the model's input size.
    public static func preprocessing(_ wire: PreprocessingMessage?, spec: ModelSpec, field: String) throws -> Preprocessing {
        guard let wire else { return .identity(featureCount: spec.inputSize) }
        guard Int(wire.featureCount) == spec.inputSize else {
            throw LearningError(.shapeMismatch, "\(field).feature_count is \(wire.featureCount); the model takes \(spec.inputSize) features")
        }
        return try Preprocessing(
            featureCount: Int(wire.featureCount), featureNames: wire.featureNames.isEmpty ? nil : wire.featureNames,
            standardizer: wire.mean.isEmpty ? nil : Standardizer(mean: wire.mean, std: wire.std))
    }

    /// The learning plan for a RoundOffer's wire plan. EWC consolidation is on (λ from the offer,
    /// 0 = no penalty) so the job measures the diagonal Fisher the Update carries, unless the
    /// offer says the coordinator uses none (`skipFisher`): then no Fisher is computed.
    public static func plan(_ wire: TrainingPlanMessage) -> TrainingPlan {
        TrainingPlan(
            epochs: Int(wire.epochs), batchSize: Int(wire.batchSize), learningRate: Float(wire.learningRate),
            ewc: wire.skipFisher ? nil : EWCConfiguration(lambda: Float(wire.ewcLambda)), proximalMu: Float(wire.fedProxMu),
            maskUnseenClasses: wire.maskUnseenClasses)
    }

    /// The learning layer's EWC state for the offer's global EWC state (one term).
    public static func ewc(_ wire: EWCStateMessage, layout: ParameterLayout) throws -> EWCState {
        EWCState(terms: [.init(fisher: try flatten(wire.fisher, layout: layout, field: "RoundOffer.ewc.fisher"),
                                                 anchor: try flatten(wire.anchor, layout: layout, field: "RoundOffer.ewc.anchor"))],
                                   consolidations: 1)
    }
}
