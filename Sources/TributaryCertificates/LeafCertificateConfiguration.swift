/// How a client or server certificate is made. Validated once, at construction.
public struct LeafCertificateConfiguration: Sendable, Hashable {
    /// One year.
    public static let defaultValidityDays = 365
    /// The longest validity accepted, in days (about 10 years).
    public static let maximumValidityDays = 3660

    /// Days from issue to expiry. The certificate never outlives its CA: expiry is capped at the CA's.
    public let validityDays: Int

    /// - Throws: ``FleetCertificateError`` with code ``FleetCertificateError/Code/invalidConfiguration``
    ///   when the validity is not 1...3660 days.
    public init(validityDays: Int = Self.defaultValidityDays) throws {
        try ValidityDays.check(validityDays, maximum: Self.maximumValidityDays)
        self.validityDays = validityDays
    }
}
