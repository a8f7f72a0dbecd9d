/// The four phases of a secure-aggregation round (Bonawitz et al. 2017, rounds 0–3 without the
/// consistency check, which an honest-but-curious server does not need).
public enum SecAggPhase: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Each client sends two X25519 public keys: one to encrypt shares, one to agree masks.
    case advertiseKeys
    /// Each client sends, through the server, its encrypted Shamir shares to its neighbours.
    case shareKeys
    /// Each client sends its input plus its self-mask plus its pairwise masks, in Z_2^k.
    case maskedInput
    /// Survivors reveal self-mask shares of survivors and masking-key shares of dropped clients.
    case unmasking

    public var description: String { rawValue }
}
