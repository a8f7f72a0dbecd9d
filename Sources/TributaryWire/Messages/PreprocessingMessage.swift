/// The model's preprocessing on the wire: the feature schema and an optional standardiser
/// x' = (x − mean[j]) / std[j]. Absent from a RoundOffer or ModelRelease = identity.
public struct PreprocessingMessage: Sendable, Hashable {
    public var featureCount: UInt32
    /// Empty: unnamed features.
    public var featureNames: [String]
    /// Empty: no standardiser.
    public var mean: [Float]
    public var std: [Float]

    public init(featureCount: UInt32, featureNames: [String] = [], mean: [Float] = [], std: [Float] = []) {
        self.featureCount = featureCount
        self.featureNames = featureNames
        self.mean = mean
        self.std = std
    }

    /// Feature names are at most this many UTF-8 bytes.
    static let maxNameBytes = 256

    /// - Parameter inputSize: the architecture's input size when the message carries one.
    func validate(field: String, inputSize: UInt32?) throws {
        try requireNonZero(featureCount, "\(field).feature_count")
        if let inputSize {
            try require(featureCount == inputSize, .invalidValue,
                        "\(field).feature_count is \(featureCount); the architecture's input_size is \(inputSize)")
        }
        let count = Int(featureCount)
        try require(featureNames.isEmpty || featureNames.count == count, .invalidValue,
                    "\(field).feature_names has \(featureNames.count) names; must be empty or feature_count \(count)")
        for (index, name) in featureNames.enumerated() { try requireName(name, "\(field).feature_names[\(index)]", maxBytes: Self.maxNameBytes) }
        try require(Set(featureNames).count == featureNames.count, .invalidValue, "\(field).feature_names \(featureNames) are not unique")
        try require(mean.isEmpty || mean.count == count, .invalidValue,
                    "\(field).mean has \(mean.count) values; must be empty or feature_count \(count)")
        try require(std.count == mean.count, .invalidValue, "\(field).std has \(std.count) values; must have as many as mean (\(mean.count))")
        if let bad = mean.firstIndex(where: { !$0.isFinite }) {
            throw WireError(.invalidValue, "\(field).mean[\(bad)] is \(mean[bad]); must be finite")
        }
        if let bad = std.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw WireError(.invalidValue, "\(field).std[\(bad)] is \(std[bad]); must be finite and > 0")
        }
    }
}

extension PreprocessingMessage {
    /// Checked by the enclosing message's `validate()`, which knows the architecture.
    init(proto: Tributary_V1_Preprocessing) {
        self.init(featureCount: proto.featureCount, featureNames: proto.featureNames, mean: proto.mean, std: proto.std)
    }

    func toProto() -> Tributary_V1_Preprocessing {
        var proto = Tributary_V1_Preprocessing()
        proto.featureCount = featureCount
        proto.featureNames = featureNames
        proto.mean = mean
        proto.std = std
        return proto
    }
}
