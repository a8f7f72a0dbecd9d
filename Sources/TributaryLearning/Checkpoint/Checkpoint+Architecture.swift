/// Dynamic architecture in its simple, real form: widen the output layer for new classes
/// without disturbing what the old outputs learned.
extension Checkpoint {
    /// A checkpoint whose output layer has `outputs` units. Old rows of the output weight and
    /// bias are kept bit for bit; new rows are drawn like a fresh layer's. Optimizer slots grow
    /// with zeros, EWC terms with zero Fisher (the new outputs carry no past importance).
    public func widenedOutput(to outputs: Int) throws -> Checkpoint {
        guard outputs > spec.outputSize else {
            throw LearningError(.invalidConfiguration, "widen: new output count \(outputs) must exceed the current \(spec.outputSize)")
        }
        var newSpec = spec
        newSpec.layers[newSpec.layers.count - 1].units = outputs
        try newSpec.validate()
        let oldLayout = spec.parameterLayout, newLayout = newSpec.parameterLayout
        var generator = self.generator
        let fanIn = newLayout.entries[newLayout.entries.count - 2].shape[1]
        let bound = 1 / Float(fanIn).squareRoot()
        var fresh = [Float](repeating: 0, count: newLayout.totalCount)
        for j in fresh.indices { fresh[j] = (2 * generator.nextUnitFloat() - 1) * bound }

        /// New layout values: old values where the old layout had them, `fill` elsewhere.
        func remap(_ old: [Float], fill: [Float]) -> [Float] {
            var result = fill
            for entry in newLayout.entries {
                let previous = oldLayout[entry.name]!
                let oldCount = previous.count
                result.replaceSubrange(entry.offset..<(entry.offset + oldCount), with: old[previous.range])
            }
            return result
        }
        let zeros = [Float](repeating: 0, count: newLayout.totalCount)
        let parameters = remap(self.parameters, fill: fresh)
        var state = optimizerState
        state.slots = state.slots.mapValues { remap($0, fill: zeros) }
        var ewc = self.ewc
        ewc.terms = ewc.terms.map { EWCState.Term(fisher: remap($0.fisher, fill: zeros), anchor: remap($0.anchor, fill: parameters)) }
        return try Checkpoint(
            spec: newSpec, parameters: parameters, optimizer: optimizer, optimizerState: state, ewc: ewc, replay: replay,
            generator: generator, plan: plan, lineage: lineage, metadata: metadata, preprocessing: preprocessing)
    }
}
