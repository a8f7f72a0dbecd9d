/// What a client does to its Update under client-level differential privacy (DP-FedAvg,
/// `TrainingPlan.privacy`): clip the delta to an L2 bound, cap and clip the Fisher, and in
/// distributed mode add its own share of the Gaussian noise to the clipped delta.
public struct PrivacyPlanMessage: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        /// The client clips; the coordinator adds the noise to the sums.
        case trustedServer
        /// The client clips and adds N(0, deltaNoiseStandardDeviation²) to each delta entry.
        case distributed
    }

    /// The feature a client announces (`Hello.capabilities.features`) when it applies a privacy
    /// plan; a coordinator never offers a plan with one to a client that does not.
    public static let feature = "privacy"

    public var mode: Mode
    /// L2 bound C of the delta.
    public var deltaClip: Float
    /// Largest value one Fisher entry keeps.
    public var fisherCap: Float
    /// L2 bound of the capped Fisher.
    public var fisherClip: Float
    /// Distributed mode: σ of the noise the client adds to each clipped delta entry (0 otherwise).
    public var deltaNoiseStandardDeviation: Double
    /// Distributed mode: mixed with the client's seed to seed its noise.
    public var noiseSeed: UInt64

    public init(mode: Mode, deltaClip: Float, fisherCap: Float, fisherClip: Float, deltaNoiseStandardDeviation: Double = 0, noiseSeed: UInt64 = 0) {
        self.mode = mode
        self.deltaClip = deltaClip
        self.fisherCap = fisherCap
        self.fisherClip = fisherClip
        self.deltaNoiseStandardDeviation = deltaNoiseStandardDeviation
        self.noiseSeed = noiseSeed
    }

    func validate(field: String) throws {
        for (name, value) in [("delta_clip", deltaClip), ("fisher_cap", fisherCap), ("fisher_clip", fisherClip)] {
            try requireFinite(Double(value), "\(field).\(name)", atLeast: 0, exclusive: true)
        }
        switch mode {
        case .distributed:
            try requireFinite(deltaNoiseStandardDeviation, "\(field).delta_noise_std", atLeast: 0, exclusive: true)
        case .trustedServer:
            try require(deltaNoiseStandardDeviation == 0, .invalidValue,
                        "\(field).delta_noise_std is \(deltaNoiseStandardDeviation) in MODE_TRUSTED_SERVER; only MODE_DISTRIBUTED clients add noise")
        }
    }
}

extension PrivacyPlanMessage {
    /// nil for an absent plan or MODE_NONE; MODE_UNSPECIFIED and unknown modes are refused.
    static func decode(_ proto: Tributary_V1_TrainingPlan, field: String) throws -> PrivacyPlanMessage? {
        guard proto.hasPrivacy else { return nil }
        let plan = proto.privacy
        let mode: Mode
        switch plan.mode {
        case .none: return nil
        case .trustedServer: mode = .trustedServer
        case .distributed: mode = .distributed
        case .unspecified, .UNRECOGNIZED:
            throw WireError(.invalidValue, "\(field).mode is \(plan.mode.rawValue); it must be MODE_NONE (1), MODE_TRUSTED_SERVER (2) or MODE_DISTRIBUTED (3)")
        }
        let message = PrivacyPlanMessage(mode: mode, deltaClip: plan.deltaClip, fisherCap: plan.fisherCap, fisherClip: plan.fisherClip,
                                         deltaNoiseStandardDeviation: plan.deltaNoiseStd, noiseSeed: plan.noiseSeed)
        try message.validate(field: field)
        return message
    }

    func toProto() -> Tributary_V1_PrivacyPlan {
        var proto = Tributary_V1_PrivacyPlan()
        proto.mode = mode == .distributed ? .distributed : .trustedServer
        proto.deltaClip = deltaClip
        proto.fisherCap = fisherCap
        proto.fisherClip = fisherClip
        proto.deltaNoiseStd = deltaNoiseStandardDeviation
        proto.noiseSeed = noiseSeed
        return proto
    }
}
