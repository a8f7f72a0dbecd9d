import ArgumentParser
import TributaryCoordinator

/// `tributary simulate`'s differential-privacy flags: client-level DP (DP-FedAvg) of the
/// simulated coordinator's rounds, the noise planned so that the run's rounds spend ε_max.
struct PrivacyOptions: ParsableArguments {
    @Option(help: "Client-level differential privacy: the total budget ε_max of the run (δ --dp-delta); the noise multiplier is the smallest that keeps every round of the run within it. Off when absent.")
    var dpEpsilon: Double?
    @Option(help: "Where the noise is added: trusted (by the coordinator, to the sums) or distributed (each client adds its share; needs --rule fedavg).")
    var dpMode: String = "trusted"
    @Option(help: "L2 bound of each client's delta.") var dpClip: Double = 1
    @Option(help: "δ of the (ε, δ) guarantee.") var dpDelta: Double = 1e-5
    @Option(help: "Largest value one Fisher entry keeps (--rule ewc).") var dpFisherCap: Double = 1
    @Option(help: "L2 bound of each client's capped Fisher (--rule ewc).") var dpFisherClip: Double = 10

    /// The coordinator's privacy settings (off without --dp-epsilon); errors name the flag and value.
    func settings(rule: String, seed: UInt64) throws -> PrivacySettings {
        guard let dpEpsilon else {
            if dpMode != "trusted" { throw ValidationError("--dp-mode \(dpMode) needs --dp-epsilon (the budget)") }
            return .off
        }
        let mode: PrivacySettings.Mode
        switch dpMode {
        case "trusted": mode = .trustedServer
        case "distributed": mode = .distributed
        default: throw ValidationError("--dp-mode is '\(dpMode)'; use trusted or distributed")
        }
        if mode == .distributed, rule != "fedavg" {
            throw ValidationError("--dp-mode distributed with --rule \(rule): distributed noise covers the delta only (a noised Fisher is not a Fisher); use --rule fedavg or --dp-mode trusted")
        }
        guard dpEpsilon.isFinite, dpEpsilon > 0 else { throw ValidationError("--dp-epsilon is \(dpEpsilon); must be a number > 0") }
        guard dpDelta > 0, dpDelta < 1 else { throw ValidationError("--dp-delta is \(dpDelta); must lie strictly between 0 and 1") }
        for (flag, value) in [("--dp-clip", dpClip), ("--dp-fisher-cap", dpFisherCap), ("--dp-fisher-clip", dpFisherClip)] {
            guard value.isFinite, value > 0 else { throw ValidationError("\(flag) is \(value); must be a number > 0") }
        }
        // The simulation plans the noise for its own rounds (tasks × rounds per task).
        return PrivacySettings(mode: mode, epsilon: dpEpsilon, delta: dpDelta, noise: .plannedRounds(1), deltaClip: Float(dpClip),
                               fisherCap: Float(dpFisherCap), fisherClip: Float(dpFisherClip), seed: seed)
    }
}
