extension TrainingPlan {
    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, replayBatchSize, learningRate, ewc, proximalMu, gradientClipNorm, activeClasses, frozenLayers, storeInReplay
        case maskUnseenClasses
    }

    /// Decodes a plan; keys added after a checkpoint was written take their defaults, so older
    /// checkpoints still load.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            epochs: try container.decode(Int.self, forKey: .epochs),
            batchSize: try container.decode(Int.self, forKey: .batchSize),
            replayBatchSize: try container.decodeIfPresent(Int.self, forKey: .replayBatchSize),
            learningRate: try container.decodeIfPresent(Float.self, forKey: .learningRate),
            ewc: try container.decodeIfPresent(EWCConfiguration.self, forKey: .ewc),
            proximalMu: try container.decode(Float.self, forKey: .proximalMu),
            gradientClipNorm: try container.decodeIfPresent(Float.self, forKey: .gradientClipNorm),
            activeClasses: try container.decodeIfPresent([Int32].self, forKey: .activeClasses),
            frozenLayers: try container.decode([String].self, forKey: .frozenLayers),
            storeInReplay: try container.decodeIfPresent(Bool.self, forKey: .storeInReplay) ?? true,
            maskUnseenClasses: try container.decodeIfPresent(Bool.self, forKey: .maskUnseenClasses) ?? false)
    }
}
