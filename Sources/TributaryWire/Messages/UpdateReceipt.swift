/// Coordinator → client: what became of an Update (accepted, late, invalid, not expected).
public struct UpdateReceipt: Sendable, Hashable {
    /// An open set mirroring `tributary.v1.UpdateReceipt.Status`.
    public struct Status: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let unspecified = Status(rawValue: 0)
        /// Folded into the round's aggregate.
        public static let accepted = Status(rawValue: 1)
        /// The round had already stopped collecting.
        public static let late = Status(rawValue: 2)
        /// The update failed validation (non-finite values, norm bound, shapes…).
        public static let invalid = Status(rawValue: 3)
        /// The client was not selected, or already sent an update for the round.
        public static let notExpected = Status(rawValue: 4)

        public var description: String {
            switch self {
            case .accepted: "ACCEPTED"
            case .late: "LATE"
            case .invalid: "INVALID"
            case .notExpected: "NOT_EXPECTED"
            case .unspecified: "UNSPECIFIED"
            default: "STATUS_\(rawValue)"
            }
        }
    }

    /// The Update.round_id this answers; non-zero.
    public var roundID: UInt64
    public var status: Status
    /// Why, naming the value that failed.
    public var reason: String

    public init(roundID: UInt64, status: Status, reason: String = "") {
        self.roundID = roundID
        self.status = status
        self.reason = reason
    }

    func validate() throws {
        try requireNonZero(roundID, "UpdateReceipt.round_id")
    }
}

extension UpdateReceipt {
    init(proto: Tributary_V1_UpdateReceipt) throws {
        self.init(roundID: proto.roundID, status: Status(rawValue: proto.status.rawValue), reason: proto.reason)
        try validate()
    }

    func toProto() -> Tributary_V1_UpdateReceipt {
        var proto = Tributary_V1_UpdateReceipt()
        proto.roundID = roundID
        proto.status = Tributary_V1_UpdateReceipt.Status(rawValue: status.rawValue) ?? .UNRECOGNIZED(status.rawValue)
        proto.reason = reason
        return proto
    }
}
