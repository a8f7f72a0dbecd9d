import X509

extension Certificate.SerialNumber {
    /// A positive 16-byte serial from `generator` (the system CSPRNG in production, a seeded one in tests).
    ///
    /// The top bit is cleared (DER INTEGERs are signed) and the next one set, so the serial is
    /// always exactly 16 bytes and never needs a leading zero.
    static func random16(using generator: inout some RandomNumberGenerator) -> Self {
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        for _ in 0..<2 {
            withUnsafeBytes(of: generator.next().bigEndian) { bytes.append(contentsOf: $0) }
        }
        bytes[0] = (bytes[0] & 0x7F) | 0x40
        return Self(bytes: bytes)
    }

    /// Lower-case hex without separators or leading zero bytes: the deny-list spelling.
    public var hexString: String {
        SerialHex.normalise(bytes: self.bytes)
    }
}
