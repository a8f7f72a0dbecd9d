/// Rewrites the `data` field of every tensor in a serialized Envelope and fixes the lengths of the
/// messages around it; every other byte is kept as it is, in its order. Used both ways:
/// - sending, the Envelope is serialized (by SwiftProtobuf) with a small marker in place of each
///   tensor's data, and the marker is replaced by a reference to the tensor's scalars;
/// - receiving, each tensor's data is replaced by a marker, so SwiftProtobuf parses a small
///   skeleton and the data is copied once, from where it arrived into the tensor's scalars.
/// Because only lengths change, the result is what SwiftProtobuf would give for the whole message.
enum TensorDataRewriter {
    enum Piece {
        /// Bytes of the input, kept as they are.
        case input(Range<Int>)
        /// Bytes written here (a key and a new length).
        case bytes([UInt8])
        /// The data of tensor `index` (its replacement's owner knows what that is).
        case tensor(Int, count: Int)
        /// A marker in place of tensor data.
        case marker([UInt8])

        var count: Int {
            switch self {
            case .input(let range): range.count
            case .bytes(let bytes), .marker(let bytes): bytes.count
            case .tensor(_, let count): count
            }
        }
    }

    struct Output {
        var pieces: [Piece] = []
        var count = 0
        /// Tensor data fields replaced.
        var replaced = 0

        mutating func append(_ piece: Piece) {
            guard piece.count > 0 else { return }
            count += piece.count
            pieces.append(piece)
        }
    }

    /// Walks `input` as a message of kind `path`. `replace` gets the range of a (non-empty) tensor
    /// data field's value and returns what goes in its place.
    /// - Throws: ``ProtoReader/Unreadable`` where the bytes cannot be walked.
    static func rewrite(_ input: UnsafeRawBufferPointer, range: Range<Int>? = nil, as path: TensorPath,
                        replace: (Range<Int>) throws -> Piece) throws -> Output {
        var reader = ProtoReader(input, range: range)
        var output = Output()
        var kept = range?.lowerBound ?? 0
        while let field = try reader.next() {
            guard field.wireType == 2 else { continue }
            let replacement: Output
            if let child = path.child(field.number) {
                replacement = try rewrite(input, range: field.value, as: child, replace: replace)
                guard replacement.replaced > 0 else { continue }
            } else if path == .tensor, field.number == TensorPath.tensorDataField, !field.value.isEmpty {
                var one = Output()
                one.append(try replace(field.value))
                one.replaced = 1
                replacement = one
            } else {
                continue
            }
            output.append(.input(kept..<field.start))
            var key: [UInt8] = []
            Varint.appendLengthDelimited(UInt64(field.number), length: replacement.count, to: &key)
            output.append(.bytes(key))
            output.pieces += replacement.pieces
            output.count += replacement.count
            output.replaced += replacement.replaced
            kept = field.value.upperBound
        }
        output.append(.input(kept..<(range?.upperBound ?? input.count)))
        return output
    }
}
