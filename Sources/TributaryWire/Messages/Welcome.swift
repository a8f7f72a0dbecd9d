/// Coordinator → client: the session is accepted.
public struct Welcome: Sendable, Hashable {
    public static let maxSessionIDBytes = 128

    /// Opaque id of this session, chosen by the coordinator.
    public var sessionID: String
    /// Protocol version the coordinator speaks in this session.
    public var serverProtocolVersion: UInt32
    /// Registry version of the current global model; 0 = none yet.
    public var globalModelVersion: UInt64
    /// The client sends a Heartbeat at least this often, in milliseconds; > 0.
    public var heartbeatIntervalMilliseconds: UInt32
    /// Largest frame the coordinator accepts; 0 = the protocol default.
    public var maxFrameBytes: UInt32

    public init(sessionID: String, serverProtocolVersion: UInt32 = WireProtocol.version, globalModelVersion: UInt64,
                heartbeatIntervalMilliseconds: UInt32, maxFrameBytes: UInt32 = 0) {
        self.sessionID = sessionID
        self.serverProtocolVersion = serverProtocolVersion
        self.globalModelVersion = globalModelVersion
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.maxFrameBytes = maxFrameBytes
    }

    func validate() throws {
        try requireName(sessionID, "Welcome.session_id", maxBytes: Self.maxSessionIDBytes)
        try requireNonZero(serverProtocolVersion, "Welcome.server_protocol_version")
        try requireNonZero(heartbeatIntervalMilliseconds, "Welcome.heartbeat_interval_ms")
    }
}

extension Welcome {
    init(proto: Tributary_V1_Welcome) throws {
        self.init(sessionID: proto.sessionID, serverProtocolVersion: proto.serverProtocolVersion,
                  globalModelVersion: proto.globalModelVersion,
                  heartbeatIntervalMilliseconds: proto.heartbeatIntervalMs, maxFrameBytes: proto.maxFrameBytes)
        try validate()
    }

    func toProto() -> Tributary_V1_Welcome {
        var proto = Tributary_V1_Welcome()
        proto.sessionID = sessionID
        proto.serverProtocolVersion = serverProtocolVersion
        proto.globalModelVersion = globalModelVersion
        proto.heartbeatIntervalMs = heartbeatIntervalMilliseconds
        proto.maxFrameBytes = maxFrameBytes
        return proto
    }
}
