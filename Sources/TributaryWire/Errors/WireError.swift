/// Why the wire layer refused a frame or a message.
///
/// `code` is an open set (new codes may be added without breaking callers); `reason` names the
/// field or frame at fault and the value it had. The transport answers a refused frame with an
/// ``ErrorMessage`` whose code is ``WireError/Code/errorMessageCode``.
public struct WireError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    /// Human-readable, names the field and the bad value.
    public var reason: String
    public var file: String
    public var line: Int

    public init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    public var description: String { "WireError.\(code): \(reason)" }
}

extension WireError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: String, CaseIterable {
            case frameTooLarge
            case malformedFrame
            case unknownMessage
            case unsupportedProtocolVersion
            case outOfSequence
            case missingField
            case invalidValue
            case tensorSizeMismatch
            case unknownDType
            case unsupportedDType
            case shapeOverflow
            case transferTooLarge
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A frame's length prefix exceeds the configured maximum.
        public static let frameTooLarge = Code(.frameTooLarge)
        /// A frame is truncated, has trailing bytes, or is not a valid Envelope.
        public static let malformedFrame = Code(.malformedFrame)
        /// The Envelope carries no message this version knows.
        public static let unknownMessage = Code(.unknownMessage)
        /// The Envelope's protocol version is not one we speak.
        public static let unsupportedProtocolVersion = Code(.unsupportedProtocolVersion)
        /// A chunk (or, in the session layer, a message) arrived out of order.
        public static let outOfSequence = Code(.outOfSequence)
        /// A required field is absent or zero.
        public static let missingField = Code(.missingField)
        /// A field has a value outside its documented range.
        public static let invalidValue = Code(.invalidValue)
        /// A tensor's byte count is not element count × dtype size.
        public static let tensorSizeMismatch = Code(.tensorSizeMismatch)
        /// A tensor's dtype is not in the contract.
        public static let unknownDType = Code(.unknownDType)
        /// A tensor's dtype is reserved in the contract but not accepted yet (FLOAT16, INT8).
        public static let unsupportedDType = Code(.unsupportedDType)
        /// A tensor's shape has more elements than can be addressed.
        public static let shapeOverflow = Code(.shapeOverflow)
        /// A chunked transfer is larger than the configured maximum.
        public static let transferTooLarge = Code(.transferTooLarge)

        /// Every code, for metrics created once with fixed dimensions.
        static let all: [Code] = Backing.allCases.map(Code.init)

        public var description: String { backing.rawValue }

        /// The code to send back to the peer in an Error frame.
        public var errorMessageCode: ErrorMessage.Code {
            switch backing {
            case .frameTooLarge: .frameTooLarge
            case .malformedFrame: .malformedFrame
            case .unknownMessage: .unknownMessage
            case .unsupportedProtocolVersion: .unsupportedProtocolVersion
            case .outOfSequence: .outOfSequence
            case .transferTooLarge: .transferTooLarge
            case .missingField, .invalidValue, .tensorSizeMismatch, .unknownDType, .unsupportedDType, .shapeOverflow:
                .invalidMessage
            }
        }
    }
}

extension WireError {
    /// The Error frame the transport sends back for this error.
    public var errorMessage: ErrorMessage {
        ErrorMessage(code: code.errorMessageCode, message: reason)
    }
}
