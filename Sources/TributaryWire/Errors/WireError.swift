import TributarySystem

/// Why the wire layer refused a frame or a message.
///
/// `code` is an open set (new codes may be added without breaking callers); `reason` names the
/// field or frame at fault and the value it had. The transport answers a refused frame with an
/// ``ErrorMessage`` whose code is ``WireError/Code/errorMessageCode``.
public typealias WireError = TributaryError<WireErrorDomain>

/// The domain of ``WireError``.
public enum WireErrorDomain: ErrorDomain {

    public static func describe(code: String, reason: String) -> String { "WireError.\(code): \(reason)" }
}

extension TributaryError.Code where Domain == WireErrorDomain {
    /// A frame's length prefix exceeds the configured maximum.
    public static var frameTooLarge: Self { Self("frameTooLarge") }
    /// A frame is truncated, has trailing bytes, or is not a valid Envelope.
    public static var malformedFrame: Self { Self("malformedFrame") }
    /// The Envelope carries no message this version knows.
    public static var unknownMessage: Self { Self("unknownMessage") }
    /// The Envelope's protocol version is not one we speak.
    public static var unsupportedProtocolVersion: Self { Self("unsupportedProtocolVersion") }
    /// A chunk (or, in the session layer, a message) arrived out of order.
    public static var outOfSequence: Self { Self("outOfSequence") }
    /// A required field is absent or zero.
    public static var missingField: Self { Self("missingField") }
    /// A field has a value outside its documented range.
    public static var invalidValue: Self { Self("invalidValue") }
    /// A tensor's byte count is not element count × dtype size.
    public static var tensorSizeMismatch: Self { Self("tensorSizeMismatch") }
    /// A tensor's dtype is not in the contract.
    public static var unknownDType: Self { Self("unknownDType") }
    /// A tensor's dtype is reserved in the contract but not accepted yet (FLOAT16, INT8).
    public static var unsupportedDType: Self { Self("unsupportedDType") }
    /// A tensor's shape has more elements than can be addressed.
    public static var shapeOverflow: Self { Self("shapeOverflow") }
    /// A chunked transfer is larger than the configured maximum.
    public static var transferTooLarge: Self { Self("transferTooLarge") }

    /// Every code, for metrics created once with fixed dimensions.
    static var all: [Self] {
        [.frameTooLarge, .malformedFrame, .unknownMessage, .unsupportedProtocolVersion, .outOfSequence, .missingField,
         .invalidValue, .tensorSizeMismatch, .unknownDType, .unsupportedDType, .shapeOverflow, .transferTooLarge]
    }

    /// The code to send back to the peer in an Error frame.
    public var errorMessageCode: ErrorMessage.Code {
        switch self {
        case .frameTooLarge: .frameTooLarge
        case .malformedFrame: .malformedFrame
        case .unknownMessage: .unknownMessage
        case .unsupportedProtocolVersion: .unsupportedProtocolVersion
        case .outOfSequence: .outOfSequence
        case .transferTooLarge: .transferTooLarge
        default: .invalidMessage
        }
    }
}

extension TributaryError where Domain == WireErrorDomain {
    /// The Error frame the transport sends back for this error.
    public var errorMessage: ErrorMessage {
        ErrorMessage(code: code.errorMessageCode, message: reason)
    }
}
