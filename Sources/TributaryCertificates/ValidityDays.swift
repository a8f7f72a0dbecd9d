import Foundation

/// Validity arithmetic shared by the configurations and the issuer.
enum ValidityDays {
    /// Certificates start this long before "now", to tolerate clock skew between machines.
    static let backdate: TimeInterval = 5 * 60

    static func check(_ days: Int, maximum: Int) throws {
        guard (1...maximum).contains(days) else {
            throw FleetCertificateError(.invalidConfiguration, reason: "validity of \(days) days is outside 1...\(maximum)")
        }
    }

    static func interval(now: Date, days: Int) -> (notBefore: Date, notAfter: Date) {
        (now.addingTimeInterval(-Self.backdate), now.addingTimeInterval(TimeInterval(days) * 86_400))
    }
}
