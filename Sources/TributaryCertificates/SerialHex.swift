/// The one spelling of a certificate serial used in files: lower-case hex, no separators,
/// no leading zero bytes (`4f2a…`). Parsing also accepts upper case and `:` separators.
enum SerialHex {
    static func normalise(bytes: some Collection<UInt8>) -> String {
        let trimmed = bytes.drop { $0 == 0 }
        if trimmed.isEmpty { return "00" }
        return trimmed.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
    }

    /// Parses hex text into its normal spelling, or nil if it is not hex.
    static func normalise(text: some StringProtocol) -> String? {
        let digits = text.lowercased().filter { $0 != ":" }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit && $0.isASCII }) else { return nil }
        let even = digits.count % 2 == 1 ? "0" + digits : digits
        var bytes = [UInt8]()
        var index = even.startIndex
        while index < even.endIndex {
            let next = even.index(index, offsetBy: 2)
            bytes.append(UInt8(even[index..<next], radix: 16)!)
            index = next
        }
        return Self.normalise(bytes: bytes)
    }
}
