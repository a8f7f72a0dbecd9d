import Foundation
import TributarySecureAggregation

/// RoundOffer.secure_aggregation: this round is aggregated under masks (secagg.proto). The client
/// answers with the four phases (``SecureAggregationMessage``), not with an ``Update``.
public struct SecureRoundParameters: Sendable, Hashable {
    /// What a client announces in Hello.capabilities.features to be offered secure rounds.
    public static let feature = "secagg"

    /// The round's public parameters: clients, neighbour graph, threshold, mask layout.
    public var configuration: SecAggConfiguration
    /// This client's index in 0..<clientCount (the selected clients sorted by id).
    public var clientIndex: Int
    /// Each phase's deadline, in phase order (advertise keys, share keys, masked input, unmasking).
    public var phaseDeadlines: [Date]

    public init(configuration: SecAggConfiguration, clientIndex: Int, phaseDeadlines: [Date]) {
        self.configuration = configuration
        self.clientIndex = clientIndex
        self.phaseDeadlines = phaseDeadlines
    }

    func validate(field: String) throws {
        try require((0..<configuration.clientCount).contains(clientIndex), .invalidValue,
                    "\(field).client_index is \(clientIndex); the round has clients 0..<\(configuration.clientCount)")
        try require(phaseDeadlines.count == SecAggPhase.allCases.count, .invalidValue,
                    "\(field).phase_deadlines_unix_ms has \(phaseDeadlines.count) entries; one per phase (\(SecAggPhase.allCases.count)) is required")
    }
}

extension SecureRoundParameters {
    /// Rebuilds the configuration; each segment's scale is derived from its clip, the ring and the
    /// client count, and must equal the one sent.
    init(proto: Tributary_V1_SecAggParameters, field: String) throws {
        try require(proto.version == 1, .invalidValue, "\(field).version is \(proto.version); this build speaks version 1")
        try requireNonZero(proto.roundID, "\(field).round_id")
        try require(proto.ringBits == 32 || proto.ringBits == 64, .invalidValue, "\(field).ring_bits is \(proto.ringBits); use 32 or 64")
        try require(!proto.segments.isEmpty, .missingField, "\(field).segments is empty; the masked vector needs at least one segment")
        try require(proto.segments.reduce(0) { $0 + $1.count } <= 1 << 28, .invalidValue,
                    "\(field).segments hold \(proto.segments.reduce(0) { $0 + $1.count }) elements; at most 2^28 are accepted")
        let clients = Int(proto.clientCount)
        do {
            let segments = try proto.segments.enumerated().map { index, segment in
                let encoding = try FixedPointEncoding(bits: Int(proto.ringBits), clip: segment.clip, maxSummands: max(clients, 1))
                let sent = Double(sign: .plus, exponent: Int(segment.scaleLog2), significand: 1)
                try require(encoding.scale == sent, .invalidValue,
                            "\(field).segments[\(index)] (\(segment.name)).scale_log2 is \(segment.scaleLog2); clip \(segment.clip) for \(clients) clients in a \(proto.ringBits)-bit ring gives \(Int(encoding.scale.exponent))")
                return try MaskSegment(name: segment.name, count: Int(segment.count), encoding: encoding)
            }
            let configuration = try SecAggConfiguration(
                roundID: proto.roundID, clientCount: clients, neighbourCount: Int(proto.neighbourCount), threshold: Int(proto.threshold),
                minimumClients: Int(proto.minimumClients), graphSeed: proto.graphSeed, layout: try MaskLayout(segments: segments))
            self.init(configuration: configuration, clientIndex: Int(proto.clientIndex),
                      phaseDeadlines: proto.phaseDeadlinesUnixMs.map { Date(timeIntervalSince1970: Double($0) / 1000) })
        } catch let error as SecAggError {
            throw WireError(.invalidValue, "\(field): \(error.reason)")
        }
        try validate(field: field)
    }

    func toProto() -> Tributary_V1_SecAggParameters {
        var proto = Tributary_V1_SecAggParameters()
        proto.version = 1
        proto.roundID = configuration.roundID
        proto.clientCount = UInt32(configuration.clientCount)
        proto.clientIndex = UInt32(clientIndex)
        proto.neighbourCount = UInt32(configuration.neighbourCount)
        proto.threshold = UInt32(configuration.threshold)
        proto.minimumClients = UInt32(configuration.minimumClients)
        proto.graphSeed = configuration.graphSeed
        proto.ringBits = UInt32(configuration.layout.bits)
        proto.segments = configuration.layout.segments.map { segment in
            var entry = Tributary_V1_SecAggSegment()
            entry.name = segment.name
            entry.count = UInt64(segment.count)
            entry.clip = segment.encoding.clip
            entry.scaleLog2 = Int32(segment.encoding.scale.exponent)
            return entry
        }
        proto.phaseDeadlinesUnixMs = phaseDeadlines.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        return proto
    }
}
