/// Per-feature standardisation x' = (x − mean) / std, with statistics from one data set
/// (features with zero variance keep std 1).
public struct Standardizer: Sendable, Codable, Equatable {
    public var mean: [Float]
    public var std: [Float]

    /// Given statistics (`Preprocessing.validate` checks them against the feature count).
    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    public init(fitting data: Dataset) {
        let width = data.featureCount
        var mean = [Double](repeating: 0, count: width), squares = [Double](repeating: 0, count: width)
        for index in 0..<data.count {
            for (j, value) in data.row(index).enumerated() {
                mean[j] += Double(value)
                squares[j] += Double(value) * Double(value)
            }
        }
        let n = Double(max(data.count, 1))
        self.mean = mean.map { Float($0 / n) }
        self.std = zip(mean, squares).map { sum, sq in
            let variance = max(sq / n - (sum / n) * (sum / n), 0)
            return variance > 1e-12 ? Float(variance.squareRoot()) : 1
        }
    }

    /// Appends one raw row, standardised, to `output` (no intermediate array: the serving path
    /// lays out a batch this way). The row must have `mean.count` values.
    public func append(_ row: some Collection<Float>, to output: inout [Float]) {
        for (j, value) in row.enumerated() { output.append((value - mean[j]) / std[j]) }
    }

    public func apply(_ data: Dataset) -> Dataset {
        var result = data
        let width = data.featureCount
        for index in 0..<result.features.count {
            let j = index % width
            result.features[index] = (result.features[index] - mean[j]) / std[j]
        }
        return result
    }
}
