extension FisherWeightedInput {
    /// One client's input for any layout made of ``segmentNames`` (the coordinator masks only the
    /// sums its rule needs: Σ nFΔ and Σ nF for the Fisher-weighted rule, Σ nΔ for FedAvg, Σ n
    /// always). The bounds come from the layout's clips: n ≤ clip(examples), F ≤ clip(weighted_fisher) / n_max,
    /// |Δ| ≤ clip(fedavg_delta) / n_max (or clip(weighted_delta) / (n_max · F_max)); each value is
    /// clipped to them before the products, so what a client adds is bounded whatever it claims.
    /// - Throws: `invalidInput` when the layout has no `examples` segment or an unknown one, or
    ///   needs a Fisher the client does not have.
    public static func segments(for layout: MaskLayout, delta: [Float], fisher: [Float]?, examples: Int) throws -> [[Float]] {
        let clips = Dictionary(uniqueKeysWithValues: layout.segments.map { ($0.name, $0.encoding.clip) })
        for segment in layout.segments where !segmentNames.contains(segment.name) {
            throw SecAggError(.invalidInput, "mask segment \(segment.name) is not one of \(segmentNames.joined(separator: ", "))")
        }
        guard let maxExamples = clips["examples"] else {
            throw SecAggError(.invalidInput, "the mask layout has no examples segment (\(layout.segments.map(\.name).joined(separator: ", ")))")
        }
        let needsFisher = clips["weighted_fisher"] != nil || clips["weighted_delta"] != nil
        if needsFisher && fisher == nil {
            throw SecAggError(.invalidInput, "the mask layout sums a Fisher-weighted rule (\(layout.segments.map(\.name).joined(separator: ", "))) and this client has no Fisher")
        }
        let fisherCap = clips["weighted_fisher"].map { $0 / maxExamples } ?? 1
        let deltaCap = clips["fedavg_delta"].map { $0 / maxExamples } ?? (clips["weighted_delta"].map { $0 / (maxExamples * fisherCap) } ?? 1)
        let bounds = FisherWeightedBounds(maxExamples: Int(maxExamples), fisherCap: Float(fisherCap), deltaCap: Float(deltaCap))
        let all = try Self.segments(delta: delta, fisher: fisher ?? [Float](repeating: 0, count: delta.count), examples: examples, bounds: bounds)
        let byName = Dictionary(uniqueKeysWithValues: zip(segmentNames, all))
        return layout.segments.map { byName[$0.name]! }
    }
}

extension MaskLayout {
    /// A layout of the named sums of ``FisherWeightedInput`` only (in the order of
    /// ``FisherWeightedInput/segmentNames``), clipped and scaled as ``fisherWeighted(parameterCount:bounds:maxClients:bits:)``.
    public static func sums(_ names: Set<String>, parameterCount: Int, bounds: FisherWeightedBounds, maxClients: Int, bits: Int = 64) throws -> MaskLayout {
        let full = try fisherWeighted(parameterCount: parameterCount, bounds: bounds, maxClients: maxClients, bits: bits)
        for name in names where !FisherWeightedInput.segmentNames.contains(name) {
            throw SecAggError(.invalidConfiguration, "mask segment \(name) is not one of \(FisherWeightedInput.segmentNames.joined(separator: ", "))")
        }
        return try MaskLayout(segments: full.segments.filter { names.contains($0.name) })
    }
}
