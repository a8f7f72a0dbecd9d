import TributarySystem

/// An error from the ONNX export: what went wrong (`code`), and a reason that names the thing
/// that was wrong and the value it had.
public typealias ONNXError = TributaryError<ONNXErrorDomain>

/// The domain of ``ONNXError``.
public enum ONNXErrorDomain: ErrorDomain {}

extension TributaryError.Code where Domain == ONNXErrorDomain {
    /// The model, its parameters or its preprocessing cannot be exported (sizes that do not fit,
    /// a non-finite value, a standard deviation that is not positive).
    public static var unexportable: Self { Self("unexportable") }
    /// Bytes that are not an ONNX model Tributary can read back (not a ModelProto, or a graph
    /// using what Tributary never writes).
    public static var malformedModel: Self { Self("malformedModel") }
    /// The file could not be written.
    public static var io: Self { Self("io") }
}
