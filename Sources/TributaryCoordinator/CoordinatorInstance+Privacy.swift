import TributaryRounds
import TributaryWire

extension CoordinatorInstance {
    /// The privacy of `round` about to open with `plan` (nil when privacy is off): q is its
    /// selected clients over the eligible population, k the sums it releases (the delta's, and the
    /// Fisher's unless the plan skips it), distributed noise split across the round's quorum.
    /// `.exhausted` when the round would take ε past ε_max.
    mutating func openPrivacy(_ round: Round, plan: TrainingPlanMessage) throws -> PrivacyLedger.Opening? {
        guard var ledger = privacy else { return nil }
        if ledger.settings.mode == .distributed, !plan.skipFisher {
            throw CoordinatorError(
                .invalidConfiguration,
                "privacy.mode is distributed but round \(round.id) uses the clients' Fisher (plan.ewc_lambda \(plan.ewcLambda)); distributed noise covers the delta only: set plan.ewc_lambda: 0 or privacy.mode: trusted_server")
        }
        let opening = try ledger.open(
            roundID: round.id, selected: round.selected.count, eligible: machine.population.eligible(under: configuration.rounds).count,
            releasedSums: plan.skipFisher ? 1 : 2, fisherWeighted: configuration.aggregation.rule.needsFisher,
            plannedClients: configuration.rounds.quorum)
        privacy = ledger
        return opening
    }

    /// A round's version was registered: its release is composed into the budget.
    mutating func privacySpent(_ summary: RoundSummary) {
        guard let spent = summary.privacy else { return }
        try? privacy?.record(samplingRate: spent.samplingRate, noiseMultiplier: spent.noiseMultiplier)
    }
}
