/// Either direction: liveness, also sent between the chunks of a long transfer.
public struct Heartbeat: Sendable, Hashable {
    /// Starts at 1, grows by one per heartbeat per direction.
    public var sequence: UInt64
    /// Sender's wall clock, unix milliseconds.
    public var unixMilliseconds: Int64

    public init(sequence: UInt64, unixMilliseconds: Int64) {
        self.sequence = sequence
        self.unixMilliseconds = unixMilliseconds
    }

    func validate() throws {
        try requireNonZero(sequence, "Heartbeat.sequence")
    }
}

extension Heartbeat {
    init(proto: Tributary_V1_Heartbeat) throws {
        self.init(sequence: proto.sequence, unixMilliseconds: proto.unixMs)
        try validate()
    }

    func toProto() -> Tributary_V1_Heartbeat {
        var proto = Tributary_V1_Heartbeat()
        proto.sequence = sequence
        proto.unixMs = unixMilliseconds
        return proto
    }
}
