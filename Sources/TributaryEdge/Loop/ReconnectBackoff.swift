import Foundation
import TributaryLearning

/// The wait before the next connection attempt: exponential, capped, with seeded jitter so a
/// fleet that lost its coordinator at the same instant does not come back at the same instant.
///
/// delay(n) = min(maximum, initial · multiplierⁿ) · (1 + jitter · u), u uniform in [−1, 1],
/// never above `maximum`. ``reset()`` after a session that opened.
public struct ReconnectBackoff: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var initial: Duration
        public var maximum: Duration
        public var multiplier: Double
        /// Fraction of the delay added or removed at random, 0...1.
        public var jitter: Double

        public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(300), multiplier: Double = 2, jitter: Double = 0.2) {
            self.initial = initial
            self.maximum = maximum
            self.multiplier = multiplier
            self.jitter = jitter
        }

        /// - Throws: ``EdgeError`` naming the value that does not fit.
        public func validate() throws {
            guard initial > .zero else { throw EdgeError(.invalidConfiguration, "reconnect.initial is \(initial); must be > 0") }
            guard maximum >= initial else {
                throw EdgeError(.invalidConfiguration, "reconnect.maximum is \(maximum); must be at least reconnect.initial (\(initial))")
            }
            guard multiplier.isFinite, multiplier >= 1 else {
                throw EdgeError(.invalidConfiguration, "reconnect.multiplier is \(multiplier); must be >= 1")
            }
            guard (0...1).contains(jitter) else { throw EdgeError(.invalidConfiguration, "reconnect.jitter is \(jitter); must be in 0...1") }
        }
    }

    public let configuration: Configuration
    /// Failed attempts since the last reset.
    public private(set) var attempts = 0
    private var generator: SeededGenerator

    public init(configuration: Configuration, seed: UInt64) {
        self.configuration = configuration
        self.generator = SeededGenerator(seed: seed)
    }

    /// The delay before the next attempt; counts an attempt.
    public mutating func nextDelay() -> Duration {
        let initial = Self.seconds(configuration.initial), maximum = Self.seconds(configuration.maximum)
        let base = min(maximum, initial * Foundation.pow(configuration.multiplier, Double(min(attempts, 64))))
        attempts += 1
        let u = Double(generator.nextUnitFloat()) * 2 - 1
        let jittered = min(maximum, max(0, base * (1 + configuration.jitter * u)))
        return .milliseconds(Int64((jittered * 1000).rounded()))
    }

    /// A session opened: the next failure starts again from `initial`.
    public mutating func reset() {
        attempts = 0
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
