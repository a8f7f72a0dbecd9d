/// A round's place in its life: collecting → aggregating → committing → closed, or abandoned
/// from any state before closed.
public enum RoundState: String, Sendable, Codable, CaseIterable {
    case collecting, aggregating, committing, closed, abandoned

    public var isFinished: Bool { self == .closed || self == .abandoned }

    /// The states a round may move to from this one.
    public var successors: Set<RoundState> {
        switch self {
        case .collecting: [.aggregating, .abandoned]
        case .aggregating: [.committing, .abandoned]
        case .committing: [.closed, .abandoned]
        case .closed, .abandoned: []
        }
    }
}
