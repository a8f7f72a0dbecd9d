/// Constants of the wire contract.
public enum WireProtocol {
    /// The protocol version this library speaks (`Envelope.protocol_version`, `Hello.protocol_version`).
    public static let version: UInt32 = 1
}
