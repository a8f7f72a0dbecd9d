import Crypto
import Foundation
import GRDB

/// Which labelled examples the edge keeps back as its local held-out set: never trained on,
/// used only to evaluate a candidate the coordinator sends (an evaluate round).
///
/// The choice is a pure function of the example's id (SHA-256 of `"tributary.held-out:<id>"`,
/// its first 8 bytes as a fraction of 2⁶⁴), so a restart, a re-read or another process sees the
/// same split, and about `fraction` of the examples are held out whatever order they came in.
public struct HeldOutSplit: Sendable, Equatable {
    /// The share of examples held out, in [0, 0.9]; 0 holds none back (every example trains).
    public let fraction: Double

    /// The largest fraction accepted: an edge keeps most of its data for training.
    public static let maximumFraction = 0.9

    /// - Throws: `FeedbackError(.invalidConfiguration)` naming a fraction outside [0, 0.9].
    public init(fraction: Double) throws {
        guard fraction.isFinite, fraction >= 0, fraction <= Self.maximumFraction else {
            throw FeedbackError(.invalidConfiguration,
                                "feedback store: heldOutFraction must be a number in [0, \(Self.maximumFraction)], got \(fraction)")
        }
        self.fraction = fraction
    }

    /// No example held out.
    public static let none = try! HeldOutSplit(fraction: 0)

    /// Whether the example with this id belongs to the held-out set.
    public func holdsOut(id: Int64) -> Bool {
        guard fraction > 0 else { return false }
        return Self.position(of: id) < fraction
    }

    /// Where the id's hash falls in [0, 1).
    static func position(of id: Int64) -> Double {
        let digest = SHA256.hash(data: Data("tributary.held-out:\(id)".utf8))
        let high = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(high >> 11) / Double(UInt64(1) << 53)
    }

    /// The SQL function `held_out(id)` (1 or 0) the store's queries filter with.
    var sqlFunction: DatabaseFunction {
        let split = self
        return DatabaseFunction("held_out", argumentCount: 1, pure: true) { values in
            guard let id = Int64.fromDatabaseValue(values[0]) else { return false }
            return split.holdsOut(id: id)
        }
    }
}
