import TributarySystem

/// A refusal or an abort of the secure-aggregation protocol, with an open code and a reason that
/// names the client, the phase and the value at fault.
public typealias SecAggError = TributaryError<SecAggErrorDomain>

/// The domain of ``SecAggError``. Its one line carries the code: `reason (code bothSharesRequested)`.
public enum SecAggErrorDomain: ErrorDomain {
    public static func describe(code: String, reason: String) -> String { "\(reason) (code \(code))" }
}

extension TributaryError.Code where Domain == SecAggErrorDomain {
    /// The server: fewer clients than the configured minimum are left at the end of a phase.
    public static var tooFewClients: Self { Self("tooFewClients") }
    /// The server: fewer than the threshold of a client's neighbours revealed their share of its
    /// self-mask seed (a survivor) or of its masking key (a dropped client).
    public static var sharesBelowThreshold: Self { Self("sharesBelowThreshold") }
    /// The server: the masking key rebuilt from shares does not match the public key the client
    /// advertised (a holder sent a wrong share).
    public static var reconstructionMismatch: Self { Self("reconstructionMismatch") }
    /// A client: the server asked, in one unmasking request, for both the self-mask share and the
    /// pairwise-mask share of the same client; revealing both would unmask that client's input.
    public static var bothSharesRequested: Self { Self("bothSharesRequested") }
    /// A client: fewer neighbours than the threshold take part, so its input would be protected by
    /// too few pairwise masks (or its secrets could not be rebuilt).
    public static var tooFewNeighbours: Self { Self("tooFewNeighbours") }
    /// A message arrived in a phase that does not expect it, or a second time.
    public static var unexpectedMessage: Self { Self("unexpectedMessage") }
    /// A message is malformed: an index out of range, a key of the wrong size, a vector of the
    /// wrong length, a share for a client that is not a neighbour.
    public static var invalidMessage: Self { Self("invalidMessage") }
    /// A client: an encrypted share did not decrypt with the key agreed with its sender.
    public static var shareDecryptionFailed: Self { Self("shareDecryptionFailed") }
    /// A client: the server asked for a share of a client this client holds no share of.
    public static var noShareHeld: Self { Self("noShareHeld") }
    /// A client's input does not fit the mask layout (segment count or length, a value that is not finite).
    public static var invalidInput: Self { Self("invalidInput") }
}
