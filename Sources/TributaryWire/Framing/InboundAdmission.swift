/// Decides when a connection may take in a large message, so that a process with many
/// connections holds a bounded number of them in memory at once (a coordinator whose 1,000
/// clients answer a round in the same second).
///
/// ``FrameDecoder`` asks ``mayReceive()`` before it reads the body of a frame over
/// ``largeFrameBytes`` or the first chunk of a chunked transfer. On `false` it leaves the bytes
/// where they are and asks again on its next decode; the admission's owner stops reading the
/// socket meanwhile and makes the decoder run again once admitted. The decoder calls
/// ``delivered()`` when it has passed the large message up.
public protocol InboundAdmission: AnyObject {
    /// Frames with more body bytes than this need admission (chunked transfers always do).
    var largeFrameBytes: Int { get }
    /// True when the large message at the front may be received now. Asked again, with no
    /// other call in between, until it says true; after true, not asked until ``delivered()``.
    func mayReceive() -> Bool
    /// The admitted message was decoded and passed up the pipeline.
    func delivered()
}
