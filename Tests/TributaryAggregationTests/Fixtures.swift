import TributaryAggregation
import TributaryNumerics

/// Small builders shared by the aggregation suites.
enum Fixtures {
    static let layout2x2 = ParameterLayout([(name: "w", shape: [2, 2])])

    static func policy(_ layout: ParameterLayout = layout2x2, round: UInt64 = 7, base: UInt64 = 3, maxNorm: Float = .infinity) throws -> UpdatePolicy {
        try UpdatePolicy(layout: layout, roundID: round, baseVersion: base, maxDeltaNorm: maxNorm)
    }

    static func update(
        _ client: String, _ delta: [Float], fisher: [Float]? = nil, n: Int, round: UInt64 = 7, base: UInt64 = 3,
        layout: ParameterLayout = layout2x2
    ) -> ClientUpdate {
        ClientUpdate(clientID: client, roundID: round, baseVersion: base, layout: layout, delta: delta, fisher: fisher, examples: n)
    }

    static func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }
}
