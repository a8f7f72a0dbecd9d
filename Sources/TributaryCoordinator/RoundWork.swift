import TributaryAggregation
import TributaryRounds
import TributaryWire

/// The running state of the round being collected: its sums (O(1) models, however many clients
/// answer), the clients' accuracy reports, the bytes received, and the offer sent.
struct RoundWork: Sendable {
    var round: Round
    var aggregator: StreamingAggregator
    var tally = ClientAccuracyTally()
    var bytesReceived = 0
    let startedAt: ContinuousClock.Instant
    let offer: RoundOffer
    /// The global EWC state the offer carries: the live version's, consolidated first when the
    /// data changed (`ConsolidationPolicy.isDue`); the round's outcome starts from it.
    let ewc: GlobalEWCState
    /// The largest example count each offered client's plan stated (`aggregation.bounds.stated_examples`).
    var statedExamples: [String: Int] = [:]
    /// The round's secure aggregation (`secure_aggregation`), when on.
    var secure: SecureRound?
    /// The encoding each offered client's plan stated (`compression.*`, or fp32); its Update is decoded by it.
    var encodings: [String: UpdateEncoding] = [:]
    /// The round's differential privacy (`privacy:`); nil when off.
    var privacy: RoundPrivacy?

    /// The offer for `client`, whose plan states the most examples it may claim: what it
    /// announced (`announced`, its last DeviceFacts.examples_available), capped by
    /// `aggregation.max_update_examples`; or the cap alone when `bounds.stated_examples` is off.
    /// Remembered for the check of its Update.
    mutating func offer(for client: String, announced: Int?, aggregation: CoordinatorConfiguration.Aggregation) -> RoundOffer {
        var offer = offer
        var stated = aggregation.maxUpdateExamples
        if aggregation.bounds.statedExamples, let announced {
            stated = min(stated, max(announced, 1))
            statedExamples[client] = stated
        }
        offer.plan.maxExamples = UInt64(stated)
        offer.plan.privacy = privacy?.plan
        return offer
    }

    /// Sets the round's privacy before any update is folded. Distributed noise makes each delta's
    /// norm about σ√d, so the round's delta norm bound is raised to admit it (the clients' clip C
    /// bounds their own contribution; the noise is what protects it).
    mutating func applyPrivacy(_ privacy: RoundPrivacy) throws {
        self.privacy = privacy
        if let limit = privacy.noisedDeltaNormLimit(parameters: aggregator.policy.layout.totalCount), limit > aggregator.policy.maxDeltaNorm {
            var policy = aggregator.policy
            policy.maxDeltaNorm = limit
            aggregator = try StreamingAggregator(policy: policy, rule: aggregator.rule, bounds: aggregator.bounds, history: aggregator.history)
        }
    }

    /// Validates `update` against the policy and folds it; a throw leaves the work as it was.
    mutating func fold(_ update: ClientUpdate, metrics: [String: Double], bytes: Int) throws {
        try aggregator.fold(update)
        tally.add(metrics: metrics, examples: update.examples)
        bytesReceived += bytes
    }
}
