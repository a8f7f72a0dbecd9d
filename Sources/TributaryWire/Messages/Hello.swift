/// Client → coordinator, the first message of every session.
public struct Hello: Sendable, Hashable {
    /// Longest client id accepted, in UTF-8 bytes.
    public static let maxClientIDBytes = 256

    /// Protocol version the client speaks.
    public var protocolVersion: UInt32
    /// The id the client claims; the transport checks it against the TLS certificate.
    public var clientID: String
    public var capabilities: Capabilities
    public var device: DeviceFacts

    public init(protocolVersion: UInt32 = WireProtocol.version, clientID: String,
                capabilities: Capabilities = Capabilities(), device: DeviceFacts) {
        self.protocolVersion = protocolVersion
        self.clientID = clientID
        self.capabilities = capabilities
        self.device = device
    }

    func validate() throws {
        try requireNonZero(protocolVersion, "Hello.protocol_version")
        try requireName(clientID, "Hello.client_id", maxBytes: Self.maxClientIDBytes)
        try capabilities.validate(field: "Hello.capabilities")
        try device.validate(field: "Hello.device")
    }
}

extension Hello {
    init(proto: Tributary_V1_Hello) throws {
        try require(proto.hasCapabilities, .missingField, "Hello.capabilities is absent; it is required")
        try require(proto.hasDevice, .missingField, "Hello.device is absent; it is required")
        self.init(protocolVersion: proto.protocolVersion, clientID: proto.clientID,
                  capabilities: try Capabilities(proto: proto.capabilities, field: "Hello.capabilities"),
                  device: DeviceFacts(proto: proto.device))
        try validate()
    }

    func toProto() -> Tributary_V1_Hello {
        var proto = Tributary_V1_Hello()
        proto.protocolVersion = protocolVersion
        proto.clientID = clientID
        proto.capabilities = capabilities.toProto()
        proto.device = device.toProto()
        return proto
    }
}
