import TributaryNumerics

/// Int8 quantisation with one scale per block of `blockSize` elements: element x of a block with
/// scale s is sent as q = round(x / s) ∈ [−127, 127] and read back as q · s.
///
/// Rounding is stochastic by default (q = ⌊x/s⌋ + 1 with probability x/s − ⌊x/s⌋, drawn from a
/// seeded generator), so E[q · s] = x: the quantisation error of many clients averages out in the
/// sum instead of biasing it. Scales are each block's max |x| / 127 (``Scale/perBlock``), or scales
/// every client shares (``Scale/shared(_:)``, e.g. announced in the round's plan), which secure
/// aggregation needs: integers with the same scales add up in Z_2^32 (``Int8RingSum``).
public struct Int8Quantizer: Sendable, Equatable {
    public enum Rounding: Sendable, Equatable {
        /// Unbiased: round up with probability equal to the fractional part.
        case stochastic
        /// Round to nearest (ties away from zero): deterministic, biased per element.
        case nearest
    }

    public enum Scale: Sendable, Equatable {
        /// Each block's own scale, max |x| / 127, sent with the values.
        case perBlock
        /// One scale for every block, shared by every client; values beyond ±127 · scale are
        /// clamped (a client's contribution is bounded by the scale whatever it computed).
        case shared(Float)
    }

    /// What is quantised: the values, or (for a Fisher, ≥ 0 and heavy-tailed) their square roots.
    public enum Companding: Sendable, Equatable {
        /// q = round(x / s), read back as q · s: linear, so clients' integers add up in Z_2^32.
        case linear
        /// q = round(√x / s), read back as (q · s)²: 127 steps over √max instead of max, so a
        /// block's small entries keep about twice the significant bits. Not summable in the ring,
        /// and biased up by the rounding variance (at most s²/4 an entry). Values must be ≥ 0.
        case squareRoot
    }

    public static let defaultBlockSize = 256

    public let blockSize: Int
    public let rounding: Rounding
    public let scale: Scale
    public let companding: Companding

    public init(blockSize: Int = Int8Quantizer.defaultBlockSize, rounding: Rounding = .stochastic, scale: Scale = .perBlock,
                companding: Companding = .linear) throws {
        guard blockSize >= 1, blockSize <= Int(UInt32.max) else {
            throw CompressionError(.invalidConfiguration, "int8 block size is \(blockSize); it must be between 1 and 2³² − 1")
        }
        if case .shared(let value) = scale, !(value.isFinite && value > 0) {
            throw CompressionError(.invalidConfiguration, "shared int8 scale is \(value); it must be a finite number above 0")
        }
        self.blockSize = blockSize
        self.rounding = rounding
        self.scale = scale
        self.companding = companding
    }

    /// Quantises `values`; `generator` draws the stochastic rounding (untouched with `.nearest`).
    public func encode(_ values: [Float], generator: inout SeededGenerator) throws -> Int8Blocks {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw CompressionError(.nonFiniteInput, "value [\(index)] to quantise is \(values[index]); int8 needs finite values")
        }
        var values = values
        if companding == .squareRoot {
            if let index = values.firstIndex(where: { $0 < 0 }) {
                throw CompressionError(.negativeInput, "value [\(index)] to quantise by its square root is \(values[index]); square-root companding needs values ≥ 0")
            }
            values = values.map { $0.squareRoot() }
        }
        let blocks = (values.count + blockSize - 1) / blockSize
        var scales = [Float](repeating: 0, count: blocks)
        var quantised = [Int8](repeating: 0, count: values.count)
        for block in 0..<blocks {
            let range = block * blockSize..<min(values.count, (block + 1) * blockSize)
            let blockScale: Float
            switch scale {
            case .shared(let shared): blockScale = shared
            case .perBlock: blockScale = values[range].reduce(0) { max($0, abs($1)) } / 127
            }
            scales[block] = blockScale
            guard blockScale > 0 else { continue }
            for index in range {
                let scaled = min(max(values[index] / blockScale, -127), 127)
                quantised[index] = Int8(round(scaled, generator: &generator))
            }
        }
        return Int8Blocks(count: values.count, blockSize: blockSize, scales: scales, values: quantised, companding: companding)
    }

    private func round(_ x: Float, generator: inout SeededGenerator) -> Float {
        switch rounding {
        case .nearest:
            return x.rounded(.toNearestOrAwayFromZero)
        case .stochastic:
            let lower = x.rounded(.down)
            return lower + (generator.nextUnitFloat() < x - lower ? 1 : 0)
        }
    }
}
