import X509

/// The fleet's revocation list: client ids and certificate serials the coordinator refuses.
///
/// ## File format (`revoked.txt`)
/// UTF-8 text, one entry per line:
/// ```
/// # comments start with '#'; blank lines are ignored
/// client edge-0042
/// serial 4f2a9c0e5b7d11e3a1c2d3e4f5061728
/// ```
/// - `client <id>`: every certificate whose identity is `<id>` is refused.
/// - `serial <hex>`: the certificate with that serial is refused, whoever it names. Hex is
///   case-insensitive and may use `:` separators; leading zero bytes are ignored.
/// Anything after the value on the line is an error, except a `#` comment. `tributary certs
/// revoke` appends entries and rewrites the file atomically (temp file, fsync, rename).
public struct DenyList: Sendable, Hashable {
    /// Revoked client ids.
    public private(set) var clientIDs: Set<ClientID>
    /// Revoked serials in normal spelling (lower-case hex, no leading zero bytes).
    public private(set) var serials: Set<String>

    /// An empty list: nothing is revoked.
    public init() {
        self.clientIDs = []
        self.serials = []
    }

    /// Parses the file format above.
    /// - Parameter source: the file name used in error messages.
    /// - Throws: ``FleetCertificateError/Code/invalidDenyListLine`` naming the file, the line number and its content.
    public init(parsing text: String, source: String = "revoked.txt") throws {
        self.init()
        // Split on every newline character: "\r\n" is one Character in Swift, so splitting on
        // "\n" alone would glue CRLF lines together.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = rawLine
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            func bad(_ why: String) -> FleetCertificateError {
                FleetCertificateError(
                    .invalidDenyListLine,
                    reason: "\(source):\(index + 1): \(why): \(String(rawLine).debugDescription)"
                )
            }
            guard fields.count == 2 else {
                throw bad("expected 'client <id>' or 'serial <hex>'")
            }
            switch fields[0] {
            case "client":
                do {
                    self.clientIDs.insert(try ClientID(String(fields[1])))
                } catch let error as FleetCertificateError {
                    throw bad(error.reason)
                }
            case "serial":
                guard let serial = SerialHex.normalise(text: fields[1]) else {
                    throw bad("serial \(String(fields[1]).debugDescription) is not hexadecimal")
                }
                self.serials.insert(serial)
            default:
                throw bad("unknown keyword \(String(fields[0]).debugDescription)")
            }
        }
    }

    /// True when the id or the serial is on the list.
    public func isRevoked(clientID: ClientID?, serial: Certificate.SerialNumber?) -> Bool {
        if let clientID, self.clientIDs.contains(clientID) { return true }
        if let serial, self.serials.contains(serial.hexString) { return true }
        return false
    }

    /// True when the serial given as hex text is on the list.
    public func isRevoked(serialHex: String) -> Bool {
        guard let serial = SerialHex.normalise(text: serialHex) else { return false }
        return self.serials.contains(serial)
    }

    /// Adds a client id.
    public mutating func revoke(clientID: ClientID) {
        self.clientIDs.insert(clientID)
    }

    /// Adds a serial.
    public mutating func revoke(serial: Certificate.SerialNumber) {
        self.serials.insert(serial.hexString)
    }

    /// The lines that record a revocation, to append to the file.
    static func entryLines(clientID: ClientID, serial: Certificate.SerialNumber?) -> [String] {
        var lines = ["client \(clientID.value)"]
        if let serial { lines.append("serial \(serial.hexString)") }
        return lines
    }
}
