import TributaryAggregation
import TributaryLearning
import TributaryRounds
import TributaryWire

extension UpdateReceipt {
    /// The receipt for an Update the coordinator refused, from the error that refused it:
    /// LATE when its round stopped collecting; NOT_EXPECTED when the client was not offered the
    /// round, names a round never run, or already sent one; INVALID when the update itself is
    /// wrong (base version, shapes, non-finite values, norm bound, no examples, or after a restart
    /// a resend that differs from the update the journal holds for the client: `resendDiffers`).
    static func refusing(roundID: UInt64, _ error: any Error) -> UpdateReceipt {
        UpdateReceipt(roundID: roundID, status: status(for: error), reason: "\(reasonText(error))")
    }

    static func status(for error: any Error) -> Status {
        switch error {
        case let error as RoundError:
            switch error.code {
            case .lateUpdate: return .late
            case .notSelected, .duplicateUpdate, .unknownRound: return .notExpected
            default: return .invalid
            }
        case let error as AggregationError:
            switch error.code {
            case .staleRound: return .late
            case .duplicateClient: return .notExpected
            default: return .invalid
            }
        default:
            return .invalid
        }
    }

    private static func reasonText(_ error: any Error) -> String {
        switch error {
        case let error as RoundError: error.reason
        case let error as AggregationError: error.reason
        case let error as LearningError: error.reason
        case let error as CoordinatorError: error.reason
        default: "\(error)"
        }
    }
}
