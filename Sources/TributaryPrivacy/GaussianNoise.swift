import TributaryNumerics

/// Where the Gaussian noise of DP-FedAvg is added, so that the released sum carries noise of
/// standard deviation σ = z · C (z the noise multiplier, C the clipping bound).
public enum NoisePlacement: Sendable, Equatable {
    /// The coordinator adds N(0, (zC)²) to the sum once it holds it (after unmasking, with secure
    /// aggregation): it sees the un-noised sum, so it must be trusted with it.
    case trustedServer
    /// Each of `clients` clients adds N(0, (zC)²/n) to its own clipped contribution before it is
    /// masked, so the sum of n contributions carries N(0, (zC)²) and nobody holds an un-noised sum.
    /// If fewer than n contribute (dropouts), the sum carries less noise: plan n as the fewest
    /// survivors the round accepts.
    case distributed(clients: Int)
}

/// Gaussian noise for one vector: its standard deviation follows from the noise multiplier z,
/// the clipping bound C and where it is added.
public struct GaussianNoise: Sendable, Equatable {
    /// z: the ratio of the sum's noise standard deviation to one client's L2 sensitivity.
    public let noiseMultiplier: Double
    /// C: the L2 bound each client's contribution is clipped to.
    public let clipBound: Double
    public let placement: NoisePlacement

    public init(noiseMultiplier: Double, clipBound: Double, placement: NoisePlacement) throws {
        guard noiseMultiplier.isFinite, noiseMultiplier >= 0 else {
            throw PrivacyError(.invalidConfiguration, "noise multiplier is \(noiseMultiplier); it must be a finite number ≥ 0")
        }
        guard clipBound.isFinite, clipBound > 0 else {
            throw PrivacyError(.invalidConfiguration, "clip bound is \(clipBound); it must be a finite number above 0")
        }
        if case .distributed(let clients) = placement, clients < 1 {
            throw PrivacyError(.invalidConfiguration, "distributed noise is split across \(clients) clients; it needs at least 1")
        }
        self.noiseMultiplier = noiseMultiplier
        self.clipBound = clipBound
        self.placement = placement
    }

    /// σ of the noise the whole sum carries: z · C.
    public var sumStandardDeviation: Double { noiseMultiplier * clipBound }

    /// σ of the noise one party adds: z · C for the server, z · C / √n for each of n clients.
    public var standardDeviation: Double {
        switch placement {
        case .trustedServer: sumStandardDeviation
        case .distributed(let clients): sumStandardDeviation / Double(clients).squareRoot()
        }
    }

    /// Adds independent N(0, standardDeviation²) to every element, drawn from `generator`
    /// (Box–Muller over xoshiro256**: seeded, so a run is reproducible; a deployment seeds it from
    /// the system's secure source).
    public func add(to values: inout [Float], generator: inout SeededGenerator) {
        let sigma = standardDeviation
        guard sigma > 0 else { return }
        for index in values.indices {
            values[index] += Float(sigma * Double(generator.nextGaussian()))
        }
    }
}
