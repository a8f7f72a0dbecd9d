import TributaryWire

extension RoundWork {
    /// The offer for `client` (``offer(for:announced:aggregation:)``) with `encoding` in its plan
    /// (absent when fp32), remembered to decode its Update.
    mutating func offer(for client: String, announced: Int?, aggregation: CoordinatorConfiguration.Aggregation,
                        encoding: UpdateEncoding) -> RoundOffer {
        var offer = offer(for: client, announced: announced, aggregation: aggregation)
        encodings[client] = encoding
        offer.plan.encoding = encoding.isFP32 ? nil : encoding
        return offer
    }
}

extension CoordinatorInstance {
    /// The configured encoding (`compression.*`) for a client that announced the `compression`
    /// feature; fp32 for any other, which would not know the plan's encoding field. A top-k delta
    /// only to a client that also announced `compression-topk` (the C edge client does not keep a
    /// residual): the others send their delta in fp32, with the configured Fisher codec.
    func encoding(for link: ClientLink) -> UpdateEncoding {
        guard link.canCompress else { return .fp32 }
        let configured = configuration.compression
        guard configured.delta == .topk, !link.canTopK else { return configured }
        return UpdateEncoding(delta: .fp32, fisher: configured.fisher, blockSize: configured.blockSize)
    }
}
