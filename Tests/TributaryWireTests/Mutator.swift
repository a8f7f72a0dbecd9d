import TributaryWire

/// Seeded mutations of valid frames: bit flips, truncations, length-field edits, random
/// overwrites, insertions, deletions, splices and pure noise.
struct Mutator {
    var rng: SplitMix64
    let corpus: [[UInt8]]

    init(seed: UInt64, corpus: [[UInt8]]) {
        self.rng = SplitMix64(seed: seed)
        self.corpus = corpus
    }

    mutating func int(_ upperBound: Int) -> Int { Int(rng.next() % UInt64(max(upperBound, 1))) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: rng.next()) }

    mutating func next() -> [UInt8] {
        var bytes = corpus[int(corpus.count)]
        let rounds = 1 + int(3)
        for _ in 0..<rounds { mutate(&bytes) }
        return bytes
    }

    mutating func mutate(_ bytes: inout [UInt8]) {
        switch int(9) {
        case 0:  // bit flips
            guard !bytes.isEmpty else { return }
            for _ in 0...int(8) { bytes[int(bytes.count)] ^= 1 << UInt8(int(8)) }
        case 1:  // truncation
            bytes.removeLast(int(bytes.count + 1))
        case 2:  // length field edit
            guard bytes.count >= 4 else { return }
            let length: UInt32
            switch int(4) {
            case 0: length = UInt32(truncatingIfNeeded: rng.next())
            case 1: length = UInt32(truncatingIfNeeded: bytes.count - 4 + int(9) - 4)
            case 2: length = UInt32.max - UInt32(int(4))
            default: length = 0
            }
            bytes.replaceSubrange(0..<4, with: withUnsafeBytes(of: length.bigEndian, Array.init))
        case 3:  // overwrite a span with noise
            guard !bytes.isEmpty else { return }
            let start = int(bytes.count), end = min(bytes.count, start + 1 + int(16))
            for i in start..<end { bytes[i] = byte() }
        case 4:  // insert noise, then fix the length so the body is parsed
            let at = 4 + int(max(bytes.count - 4, 0) + 1)
            guard at <= bytes.count else { return }
            bytes.insert(contentsOf: (0..<(1 + int(8))).map { _ in byte() }, at: at)
            fixLength(&bytes)
        case 5:  // delete a span, then fix the length
            guard bytes.count > 5 else { return }
            let start = 4 + int(bytes.count - 4), end = min(bytes.count, start + 1 + int(16))
            bytes.removeSubrange(start..<end)
            fixLength(&bytes)
        case 6:  // splice with another frame
            let other = corpus[int(corpus.count)]
            bytes = Array(bytes.prefix(int(bytes.count + 1))) + Array(other.suffix(int(other.count + 1)))
        case 7:  // interesting byte values inside the body, length kept
            guard bytes.count > 4 else { return }
            bytes[4 + int(bytes.count - 4)] = [0x00, 0xFF, 0x80, 0x7F, 0x01, 0x0A, 0x12][int(7)]
        default:  // pure noise behind a matching length prefix
            var body = (0..<int(64)).map { _ in byte() }
            if int(2) == 0, !body.isEmpty { body[0] = 0x08; if body.count > 1 { body[1] = 0x01 } }  // protocol_version = 1
            bytes = withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init) + body
        }
    }

    func fixLength(_ bytes: inout [UInt8]) {
        guard bytes.count >= 4 else { return }
        bytes.replaceSubrange(0..<4, with: withUnsafeBytes(of: UInt32(bytes.count - 4).bigEndian, Array.init))
    }
}
