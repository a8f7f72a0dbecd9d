import Foundation
import TributaryRounds
import TributarySecureAggregation
import TributaryWire

/// A round aggregated under masks: the SecAgg+ server machine, which client is which index, and
/// the unmasked sum once it is in. Lives in the round's ``RoundWork``.
struct SecureRound: Sendable {
    var server: SecAggServer
    /// Client ids by index: the round's selected clients sorted by id.
    let clients: [String]
    let indices: [String: Int]
    let phaseDeadlines: [Date]
    /// The round machine closed the round (target or deadline): commit once the sum is in.
    var closeRequested = false
    /// The unmasked sum, once the server finished.
    var sum: SecAggSum?

    var configuration: SecAggConfiguration { server.configuration }
    var elementBytes: Int { configuration.layout.bits / 8 }

    /// The round's parameters: neighbours and threshold for `settings.dropoutRate`, the sums the
    /// rule needs, the masked input due at the round's deadline.
    init(round: Round, settings: SecureAggregationSettings, parameterCount: Int, fisherWeighted: Bool, meanFisher: Bool,
         now: CoordinatorTime) throws {
        clients = round.selected.sorted()
        indices = Dictionary(uniqueKeysWithValues: clients.enumerated().map { ($1, $0) })
        guard clients.count >= 2 else {
            throw CoordinatorError(.roundRefused, "secure aggregation needs at least 2 selected clients; round \(round.id) selected \(clients.count)")
        }
        let layout = try MaskLayout.sums(
            SecureAggregationSettings.sums(fisherWeighted: fisherWeighted, meanFisher: meanFisher), parameterCount: parameterCount,
            bounds: settings.bounds, maxClients: clients.count, bits: settings.ringBits)
        let collect = max(round.deadline - now.instant, .seconds(1))
        let deadlines = SecAggDeadlines(advertiseKeys: settings.advertiseTimeout, shareKeys: settings.shareTimeout,
                                        maskedInput: collect, unmasking: settings.unmaskTimeout)
        // The neighbour graph's seed is public; derived from the round id so a round is reproducible.
        let seed = round.id &* 0x9E37_79B9_7F4A_7C15 ^ 0x5EC_A66
        let configuration = try SecAggConfiguration.recommended(
            roundID: round.id, clientCount: clients.count, dropoutRate: settings.dropoutRate,
            failureProbability: settings.failureProbability, graphSeed: seed, layout: layout, deadlines: deadlines)
        server = SecAggServer(configuration: configuration)
        let start = now.date
        phaseDeadlines = [
            start.addingTimeInterval(settings.advertiseTimeout.seconds),
            start.addingTimeInterval((settings.advertiseTimeout + settings.shareTimeout).seconds),
            now.date(of: round.deadline),
            now.date(of: round.deadline).addingTimeInterval(settings.unmaskTimeout.seconds),
        ]
    }

    /// What `client`'s offer carries (nil: not in this round).
    func parameters(for client: String) -> SecureRoundParameters? {
        indices[client].map { SecureRoundParameters(configuration: configuration, clientIndex: $0, phaseDeadlines: phaseDeadlines) }
    }

    func message(_ body: SecureAggregationMessage.Body) -> SecureAggregationMessage {
        SecureAggregationMessage(roundID: configuration.roundID, body: body, elementBytes: elementBytes)
    }

    /// The decoded sums as the aggregator takes them: the delta sum of the rule, Σ nF, Σ n.
    func sums(_ sum: SecAggSum, fisherWeighted: Bool) -> (delta: [Float], fisher: [Float]?, examples: Int) {
        let decoded = sum.decoded(with: configuration.layout)
        var byName: [String: [Double]] = [:]
        for (segment, values) in zip(configuration.layout.segments, decoded) { byName[segment.name] = values }
        let delta = (fisherWeighted ? byName["weighted_delta"] : byName["fedavg_delta"]) ?? []
        let examples = Int((byName["examples"]?.first ?? 0).rounded())
        return (delta.map { Float($0) }, byName["weighted_fisher"].map { $0.map { Float($0) } }, examples)
    }
}
