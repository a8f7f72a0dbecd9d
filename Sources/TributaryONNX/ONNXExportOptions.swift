/// What an export writes beside the graph: the version it comes from and the features' names.
public struct ONNXExportOptions: Sendable, Equatable {
    /// The Tributary release written as `producer_version` and in the `tributary.version`
    /// metadata (the package has no other version constant yet).
    public static let tributaryVersion = "0.12.0"

    /// The registry version exported (`ModelProto.model_version`; 0: none known).
    public var modelVersion: UInt64
    /// One name per input feature, in column order (metadata `tributary.feature_names`); nil: none.
    public var featureNames: [String]?
    /// `ModelProto.producer_version`.
    public var producerVersion: String

    public init(modelVersion: UInt64 = 0, featureNames: [String]? = nil, producerVersion: String = ONNXExportOptions.tributaryVersion) {
        self.modelVersion = modelVersion
        self.featureNames = featureNames
        self.producerVersion = producerVersion
    }

    /// Checks the options against a model taking `inputSize` features; throws `unexportable`.
    func validate(inputSize: Int) throws {
        guard modelVersion <= UInt64(Int64.max) else {
            throw ONNXError(.unexportable, "model version \(modelVersion) does not fit ONNX's int64 model_version")
        }
        guard let featureNames else { return }
        guard featureNames.count == inputSize else {
            throw ONNXError(
                .unexportable, "feature names: \(featureNames.count) given (\(featureNames.joined(separator: ","))), the model takes \(inputSize) features")
        }
        if let empty = featureNames.firstIndex(where: { $0.isEmpty }) {
            throw ONNXError(.unexportable, "feature names: name \(empty + 1) of \(featureNames.count) is empty")
        }
        var seen = Set<String>()
        for name in featureNames where !seen.insert(name).inserted {
            throw ONNXError(.unexportable, "feature names: '\(name)' appears twice")
        }
    }
}
