import TributaryAggregation
import TributaryConfig

extension CoordinatorConfiguration {
    /// `aggregation.bounds`: what one Update may weigh whatever its sender claims (on by default;
    /// `enabled: false` turns every one off). Each multiple is a number ≥ 1 or `off`.
    static func readBounds(_ section: ConfigReader) throws -> UpdateBounds {
        let enabled = try section.bool("enabled", default: true)
        let defaults = UpdateBounds.default
        func multiple(_ key: String, _ value: Float?) throws -> Float? {
            let text = try section.string(key, default: value.map { "\($0)" } ?? "off")
            if text == "off" { return nil }
            guard let number = Double(text), number >= 1, number <= 1e9 else {
                throw section.invalid(key, "must be off or a number in 1...1e9 (a multiple of the median or reference)")
            }
            return Float(number)
        }
        let history = try section.int("history", default: defaults.history, in: 1...100_000)
        let bounds = UpdateBounds(
            deltaNormMultiple: try multiple("delta_norm_multiple", defaults.deltaNormMultiple),
            fisherMultiple: try multiple("fisher_multiple", defaults.fisherMultiple),
            fisherFloor: Float(try section.double("fisher_floor", default: Double(defaults.fisherFloor), in: 1e-9...1e9)),
            fisherNormMultiple: try multiple("fisher_norm_multiple", defaults.fisherNormMultiple),
            history: history,
            minimumHistory: try section.int("minimum_history", default: min(defaults.minimumHistory, history), in: 1...history),
            statedExamples: try section.bool("stated_examples", default: defaults.statedExamples))
        // Read (and checked) even when disabled, so a setting beside `enabled: false` is not an unknown key.
        try bounds.validate()
        return enabled ? bounds : .off
    }
}
