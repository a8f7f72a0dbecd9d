import TributaryCompression
import TributaryLearning
import TributaryModelWire
import TributarySystem
import TributaryWire

extension TributaryError.Code where Domain == CoordinatorErrorDomain {
    /// An Update is not encoded as its plan said (a compressed payload where Float32 was asked,
    /// or the reverse), or its compressed payload cannot be decoded (format, count, block size,
    /// values): refused with UpdateReceipt INVALID.
    public static var invalidEncoding: Self { Self("invalidEncoding") }
}

extension IncomingUpdate {
    /// The flat delta and Fisher over `layout`, decoded as `encoding` (the plan this client was
    /// offered) says: a Float32 ParameterSet for an fp32 codec, a compressed vector of exactly
    /// the layout's parameter count otherwise. The one place an Update's payload becomes vectors.
    /// - Throws: `CoordinatorError.invalidEncoding` naming the field, what the plan asked and what
    ///   came; `LearningError` for a ParameterSet that does not fit the model.
    func decodedVectors(layout: ParameterLayout, encoding: UpdateEncoding) throws -> (delta: [Float], fisher: [Float]?) {
        let delta: [Float]
        switch (encoding.delta, update.compressedDelta) {
        case (.fp32, nil):
            delta = try LearningWire.flatten(update.delta, layout: layout, field: "Update.delta")
        case (.fp32, let bytes?):
            throw Self.refusal("Update.compressed_delta holds \(bytes.count) bytes; this client's plan asked for an fp32 delta in Update.delta")
        case (let codec, nil):
            throw Self.refusal("Update.compressed_delta is absent; this client's plan asked for a \(codec.rawValue) delta there")
        case (.int8, let bytes?):
            delta = try Self.decode("Update.compressed_delta", bytes, count: layout.totalCount) {
                let blocks = try Int8Blocks(serialized: $0)
                try Self.requireBlockSize(blocks.blockSize, encoding, field: "Update.compressed_delta")
                return blocks.decoded()
            }
        case (.topk, let bytes?):
            delta = try Self.decode("Update.compressed_delta", bytes, count: layout.totalCount) {
                let sparse = try SparseVector(serialized: $0)
                let most = try TopKSparsifier(fraction: encoding.topKFraction).k(count: sparse.count)
                guard sparse.indices.count <= most else {
                    throw Self.refusal("Update.compressed_delta keeps \(sparse.indices.count) entries; top-k \(encoding.topKFraction) of \(sparse.count) keeps at most \(most)")
                }
                return sparse.decoded()
            }
        }
        return (delta, try decodedFisher(layout: layout, encoding: encoding))
    }

    private func decodedFisher(layout: ParameterLayout, encoding: UpdateEncoding) throws -> [Float]? {
        let field = "Update.compressed_fisher"
        switch (encoding.fisher, update.compressedFisher) {
        case (_, nil) where update.fisher == nil:
            return nil
        case (.fp32, nil):
            return try update.fisher.map { try LearningWire.flatten($0, layout: layout, field: "Update.fisher") }
        case (.fp32, let bytes?):
            throw Self.refusal("\(field) holds \(bytes.count) bytes; this client's plan asked for an fp32 Fisher in Update.fisher")
        case (let codec, nil):
            throw Self.refusal("Update.fisher is a Float32 ParameterSet; this client's plan asked for a \(codec.rawValue) Fisher in \(field)")
        case (.fp16, let bytes?):
            return try Self.decode(field, bytes, count: layout.totalCount) { try Float16Vector(serialized: $0).decoded() }
        case (.int8, let bytes?), (.sqrtInt8, let bytes?):
            let companding: Int8Quantizer.Companding = encoding.fisher == .int8 ? .linear : .squareRoot
            return try Self.decode(field, bytes, count: layout.totalCount) {
                let blocks = try Int8Blocks(serialized: $0, companding: companding)
                try Self.requireBlockSize(blocks.blockSize, encoding, field: field)
                return blocks.decoded()
            }
        }
    }

    /// Decodes `bytes` with `read`, naming `field` in any error, and requires `count` elements.
    private static func decode(_ field: String, _ bytes: [UInt8], count: Int, _ read: ([UInt8]) throws -> [Float]) throws -> [Float] {
        let values: [Float]
        do {
            values = try read(bytes)
        } catch let error as CompressionError {
            throw refusal("\(field) (\(bytes.count) bytes) cannot be decoded: \(error.code): \(error.reason)")
        }
        guard values.count == count else {
            throw refusal("\(field) holds \(values.count) values; the model has \(count) parameters")
        }
        return values
    }

    private static func requireBlockSize(_ blockSize: Int, _ encoding: UpdateEncoding, field: String) throws {
        guard blockSize == encoding.blockSize else {
            throw refusal("\(field) uses int8 blocks of \(blockSize); the plan's block size is \(encoding.blockSize)")
        }
    }

    private static func refusal(_ reason: String) -> CoordinatorError { CoordinatorError(.invalidEncoding, reason) }
}
