/// Coordinator → client: the session is refused; the connection closes after it.
public struct Reject: Sendable, Hashable {
    /// Why; an open set mirroring `tributary.v1.Reject.Code`.
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let unsupportedProtocolVersion = Code(rawValue: 1)
        /// The claimed client id is not the one in the certificate.
        public static let identityMismatch = Code(rawValue: 2)
        public static let unknownClient = Code(rawValue: 3)
        public static let noCommonCodec = Code(rawValue: 4)
        public static let overloaded = Code(rawValue: 5)
        public static let shuttingDown = Code(rawValue: 6)
        /// The client's certificate or id is on the fleet deny list.
        public static let revoked = Code(rawValue: 7)
        /// The certificate chains to the fleet CA but is not usable as a client identity.
        public static let certificateRefused = Code(rawValue: 8)
        /// `Hello.capabilities.max_frame_bytes` is below the smallest frame the coordinator can cut transfers to.
        public static let frameLimitTooSmall = Code(rawValue: 9)
    }

    public var code: Code
    /// Names the offending value.
    public var reason: String

    public init(code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    func validate() throws {
        try requireNonZero(code.rawValue, "Reject.code")
    }
}

extension Reject {
    init(proto: Tributary_V1_Reject) throws {
        self.init(code: Code(rawValue: proto.code.rawValue), reason: proto.reason)
        try validate()
    }

    func toProto() -> Tributary_V1_Reject {
        var proto = Tributary_V1_Reject()
        proto.code = Tributary_V1_Reject.Code(rawValue: code.rawValue) ?? .UNRECOGNIZED(code.rawValue)
        proto.reason = reason
        return proto
    }
}
