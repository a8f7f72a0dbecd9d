/// How long each phase of a round waits for clients before it closes with those that answered.
public struct SecAggDeadlines: Sendable, Hashable {
    public var advertiseKeys: Duration
    public var shareKeys: Duration
    public var maskedInput: Duration
    public var unmasking: Duration

    public init(advertiseKeys: Duration = .seconds(30), shareKeys: Duration = .seconds(30),
                maskedInput: Duration = .seconds(60), unmasking: Duration = .seconds(30)) {
        self.advertiseKeys = advertiseKeys
        self.shareKeys = shareKeys
        self.maskedInput = maskedInput
        self.unmasking = unmasking
    }

    public subscript(phase: SecAggPhase) -> Duration {
        switch phase {
        case .advertiseKeys: advertiseKeys
        case .shareKeys: shareKeys
        case .maskedInput: maskedInput
        case .unmasking: unmasking
        }
    }
}

/// The public parameters of one secure-aggregation round, known to the server and every client
/// (the coordinator would send them with the round's offer).
///
/// Clients are numbered 0..<clientCount (the round's selected clients in a fixed order). Each
/// client shares its secrets with its `neighbourCount` neighbours in the ``NeighbourGraph`` of
/// `graphSeed`; any `threshold` of them rebuild a secret.
public struct SecAggConfiguration: Sendable, Hashable {
    public let roundID: UInt64
    public let clientCount: Int
    /// Neighbours per client (k): even, or clientCount − 1 for the complete graph.
    public let neighbourCount: Int
    /// Shares needed to rebuild a client's secret (t): more than half its neighbours, so that no
    /// server can gather both of a client's secrets from disjoint sets of honest neighbours.
    public let threshold: Int
    /// The fewest clients whose inputs a sum may contain; below it the round aborts (`tooFewClients`).
    public let minimumClients: Int
    public let graphSeed: UInt64
    public let layout: MaskLayout
    public let deadlines: SecAggDeadlines

    /// - Throws: `invalidConfiguration` naming the value that does not fit.
    public init(
        roundID: UInt64, clientCount: Int, neighbourCount: Int, threshold: Int, minimumClients: Int,
        graphSeed: UInt64, layout: MaskLayout, deadlines: SecAggDeadlines = SecAggDeadlines()
    ) throws {
        func refuse(_ reason: String) -> SecAggError { SecAggError(.invalidConfiguration, reason) }
        guard clientCount >= 2, clientCount <= Int(UInt32.max) else { throw refuse("secure aggregation needs at least 2 clients; clientCount is \(clientCount)") }
        let k = min(neighbourCount, clientCount - 1)
        guard k >= 1 else { throw refuse("neighbourCount is \(neighbourCount); it must be at least 1") }
        guard k == clientCount - 1 || k % 2 == 0 else {
            throw refuse("neighbourCount is \(neighbourCount); it must be even (a ring of k/2 on each side) or clientCount − 1 = \(clientCount - 1)")
        }
        guard threshold > k / 2, threshold <= k else {
            throw refuse("threshold is \(threshold); with \(k) neighbours it must be in \(k / 2 + 1)...\(k) (more than half the neighbours)")
        }
        guard minimumClients >= 2, minimumClients <= clientCount else {
            throw refuse("minimumClients is \(minimumClients); it must be in 2...\(clientCount)")
        }
        guard layout.maxSummands >= clientCount else {
            throw refuse("the mask layout is scaled for \(layout.maxSummands) summands; \(clientCount) clients could wrap the sum")
        }
        self.roundID = roundID
        self.clientCount = clientCount
        self.neighbourCount = k
        self.threshold = threshold
        self.minimumClients = minimumClients
        self.graphSeed = graphSeed
        self.layout = layout
        self.deadlines = deadlines
    }

    /// Parameters for `clientCount` clients of which up to `dropoutRate` may drop: the smallest
    /// even neighbour count k (or the complete graph) with threshold t = ⌊k/2⌋ + 1 such that the
    /// chance that any client keeps fewer than t live neighbours, n · P[Binomial(k, 1 − dropoutRate) < t],
    /// is at most `failureProbability`; minimumClients = t.
    public static func recommended(
        roundID: UInt64, clientCount: Int, dropoutRate: Double = 0.3, failureProbability: Double = 1e-6,
        graphSeed: UInt64, layout: MaskLayout, deadlines: SecAggDeadlines = SecAggDeadlines()
    ) throws -> SecAggConfiguration {
        guard dropoutRate >= 0, dropoutRate < 0.5 else {
            throw SecAggError(.invalidConfiguration, "dropoutRate is \(dropoutRate); it must be in [0, 0.5): a threshold above half the neighbours cannot survive more")
        }
        let k = recommendedNeighbourCount(clientCount: clientCount, dropoutRate: dropoutRate, failureProbability: failureProbability)
        let t = k / 2 + 1
        return try SecAggConfiguration(
            roundID: roundID, clientCount: clientCount, neighbourCount: k, threshold: t, minimumClients: max(2, t),
            graphSeed: graphSeed, layout: layout, deadlines: deadlines)
    }

    static func recommendedNeighbourCount(clientCount: Int, dropoutRate: Double, failureProbability: Double) -> Int {
        var k = 2
        while k < clientCount - 1 {
            if Double(clientCount) * binomialTailBelow(k / 2 + 1, trials: k, success: 1 - dropoutRate) <= failureProbability { return k }
            k += 2
        }
        return clientCount - 1
    }

    /// P[Binomial(trials, success) < bound], summed in log space.
    static func binomialTailBelow(_ bound: Int, trials: Int, success: Double) -> Double {
        var logChoose = 0.0, total = 0.0
        for i in 0..<min(bound, trials + 1) {
            if i > 0 { logChoose += log(Double(trials - i + 1)) - log(Double(i)) }
            total += exp(logChoose + Double(i) * log(success) + Double(trials - i) * log(1 - success))
        }
        return total
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif
