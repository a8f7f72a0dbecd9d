import TributaryConfig

extension CoordinatorConfiguration {
    /// `privacy:`: mode (off | trusted_server | distributed, default off), epsilon (ε_max), delta
    /// (1e-5), rounds (the planned rounds z is derived from) or noise_multiplier, delta_clip,
    /// fisher_cap, fisher_clip, seed. With the mode on, epsilon, delta_clip and one of rounds or
    /// noise_multiplier are required. Every key is read whatever the mode, so none is "unknown".
    static func readPrivacy(_ section: ConfigReader) throws -> PrivacySettings {
        let mode = PrivacySettings.Mode(rawValue: try section.choice("mode", from: PrivacySettings.Mode.allCases.map(\.rawValue), default: "off"))!
        let epsilon = try section.string("epsilon") == nil ? nil : try section.double("epsilon", default: 1, in: 1e-6...1e6)
        let delta = try section.double("delta", default: 1e-5, in: 1e-300...0.999_999)
        let rounds = try section.string("rounds") == nil ? nil : try section.int("rounds", default: 1, in: 1...1_000_000)
        let multiplier = try section.string("noise_multiplier") == nil ? nil : try section.double("noise_multiplier", default: 1, in: 1e-3...1000)
        let deltaClip = try section.string("delta_clip") == nil ? nil : try section.double("delta_clip", default: 1, in: 1e-9...1e9)
        let fisherCap = try section.double("fisher_cap", default: 1, in: 1e-9...1e9)
        let fisherClip = try section.double("fisher_clip", default: 10, in: 1e-9...1e9)
        let seed = UInt64(try section.int("seed", default: 0, in: 0...Int.max))
        guard mode != .off else { return .off }
        guard let epsilon else { throw section.invalid("epsilon", "is required with privacy.mode \(mode.rawValue) (the total budget ε_max, e.g. 4)") }
        guard let deltaClip else {
            throw section.invalid("delta_clip", "is required with privacy.mode \(mode.rawValue) (the L2 bound of each client's delta, e.g. the median delta norm of a run without DP)")
        }
        let noise: PrivacySettings.Noise
        switch (rounds, multiplier) {
        case (let rounds?, nil): noise = .plannedRounds(rounds)
        case (nil, let z?): noise = .multiplier(z)
        case (let rounds?, let z?):
            throw section.invalid("noise_multiplier", "is \(z) beside privacy.rounds \(rounds); set one of them (rounds derives the noise multiplier from epsilon)")
        case (nil, nil):
            throw section.invalid("rounds", "is required with privacy.mode \(mode.rawValue) unless privacy.noise_multiplier is set (the planned number of rounds the budget must cover)")
        }
        return PrivacySettings(mode: mode, epsilon: epsilon, delta: delta, noise: noise, deltaClip: Float(deltaClip),
                               fisherCap: Float(fisherCap), fisherClip: Float(fisherClip), seed: seed)
    }
}
