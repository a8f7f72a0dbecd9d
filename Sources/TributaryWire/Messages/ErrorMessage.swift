/// Either direction: a frame or message was refused (`tributary.v1.Error`).
public struct ErrorMessage: Sendable, Hashable {
    /// An open set mirroring `tributary.v1.Error.Code`.
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let frameTooLarge = Code(rawValue: 1)
        public static let malformedFrame = Code(rawValue: 2)
        public static let unknownMessage = Code(rawValue: 3)
        public static let unsupportedProtocolVersion = Code(rawValue: 4)
        public static let outOfSequence = Code(rawValue: 5)
        public static let invalidMessage = Code(rawValue: 6)
        public static let transferTooLarge = Code(rawValue: 7)
        public static let `internal` = Code(rawValue: 8)
    }

    public var code: Code
    /// Names the field or frame and the bad value.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    func validate() throws {
        try requireNonZero(code.rawValue, "Error.code")
    }
}

extension ErrorMessage {
    init(proto: Tributary_V1_Error) throws {
        self.init(code: Code(rawValue: proto.code.rawValue), message: proto.message)
        try validate()
    }

    func toProto() -> Tributary_V1_Error {
        var proto = Tributary_V1_Error()
        proto.code = Tributary_V1_Error.Code(rawValue: code.rawValue) ?? .UNRECOGNIZED(code.rawValue)
        proto.message = message
        return proto
    }
}
