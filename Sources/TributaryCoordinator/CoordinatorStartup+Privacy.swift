import Logging

extension CoordinatorStartup {
    /// Fisher-weighted aggregation under DP divides one noised sum by another (Σ F⊙Δ / Σ F): in
    /// the measurements every candidate exploded and was rejected (docs/benchmarks.md), so say so.
    static func warnIfPrivateFisherWeighted(_ configuration: CoordinatorConfiguration, logger: Logger) {
        guard configuration.privacy.isOn, configuration.aggregation.rule.needsFisher else { return }
        logger.warning(
            "privacy.mode is \(configuration.privacy.mode.rawValue) with aggregation.rule fisher_weighted: the update is the ratio of two noised sums and was unusable in every measured setting (docs/benchmarks.md, \"Differential privacy in real rounds\"); use aggregation.rule: fedavg with privacy")
    }
}
