/// How a fleet CA is made. Validated once, at construction.
public struct FleetCAConfiguration: Sendable, Hashable {
    /// Ten years.
    public static let defaultValidityDays = 3650
    /// The longest validity accepted, in days (100 years).
    public static let maximumValidityDays = 36_500

    /// The fleet's name; the CA subject is `CN=Tributary fleet CA <name>`.
    public let name: String
    /// Days from issue to expiry.
    public let validityDays: Int

    /// - Throws: ``FleetCertificateError`` with code ``FleetCertificateError/Code/invalidConfiguration``
    ///   when the name is empty, longer than 64 characters or holds control characters, or the
    ///   validity is not 1...36500 days.
    public init(name: String = "default", validityDays: Int = Self.defaultValidityDays) throws {
        if name.isEmpty || name.count > 64 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw FleetCertificateError(
                .invalidConfiguration,
                reason: "CA name \(name.debugDescription) must be 1 to 64 characters without control characters"
            )
        }
        try ValidityDays.check(validityDays, maximum: Self.maximumValidityDays)
        self.name = name
        self.validityDays = validityDays
    }

    /// The subject common name of the CA certificate.
    public var commonName: String { "Tributary fleet CA \(self.name)" }
}
