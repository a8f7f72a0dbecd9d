/// Either direction: orderly end of the session.
public struct Goodbye: Sendable, Hashable {
    /// An open set mirroring `tributary.v1.Goodbye.Reason`; 0 = unspecified is allowed.
    public struct Reason: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let unspecified = Reason(rawValue: 0)
        public static let shutdown = Reason(rawValue: 1)
        public static let done = Reason(rawValue: 2)
        public static let idleTimeout = Reason(rawValue: 3)
        public static let notEligible = Reason(rawValue: 4)
        /// Coordinator to edge: the client was revoked while its session was open.
        public static let revoked = Reason(rawValue: 5)
    }

    public var reason: Reason
    /// Free text for logs.
    public var detail: String

    public init(reason: Reason, detail: String = "") {
        self.reason = reason
        self.detail = detail
    }
}

extension Goodbye {
    init(proto: Tributary_V1_Goodbye) {
        self.init(reason: Reason(rawValue: proto.reason.rawValue), detail: proto.detail)
    }

    func toProto() -> Tributary_V1_Goodbye {
        var proto = Tributary_V1_Goodbye()
        proto.reason = Tributary_V1_Goodbye.Reason(rawValue: reason.rawValue) ?? .UNRECOGNIZED(reason.rawValue)
        proto.detail = detail
        return proto
    }
}
