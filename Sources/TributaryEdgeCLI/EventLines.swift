import Foundation
import TributaryEdge

/// One stdout line per event that a person (or a test) watches for.
package enum EventLines {
    package static func print(_ event: EdgeEvent, clientID: String) {
        let line: String?
        switch event {
        case .connected(let session, let version): line = "connected (session \(session), coordinator model version \(version))"
        case .readySent(let trigger, let ready): line = ready ? "sent Ready (trigger \(trigger))" : "sent Ready: not ready (\(trigger))"
        case .offered(let round, let version): line = "offered round \(round) (model version \(version))"
        case .trained(let round, let examples, let loss, let seconds):
            line = "trained round \(round): \(examples) examples, train.loss \(String(format: "%.4f", loss)), \(String(format: "%.2f", seconds)) s"
        case .updateSent(let round, let examples, let loss):
            line = "sent Update for round \(round) (\(examples) examples, train.loss \(String(format: "%.4f", loss)))"
        case .updateResent(let round): line = "round \(round) offered again: sent its kept Update again (not retrained)"
        case .skipped(let round, let reason): line = "round \(round) not answered: \(reason)"
        case .secureRoundAnswered(let round): line = "round \(round): secure aggregation unmasking answered"
        case .maskedInputRequested(let round): line = "round \(round): masked input requested (keys and shares sent)"
        case .maskedInputSent(let round, let examples, let loss):
            line = String(format: "sent masked input for round %llu (secure aggregation; trained on %d examples, train.loss %.4f)", round, examples, loss)
        case .receipt(let round, let status, let reason): line = "Update for round \(round): \(status)\(reason.isEmpty ? "" : " (\(reason))")"
        case .adopted(let version): line = "adopted model version \(version)"
        case .releaseIgnored(let version, let held): line = "ignored model version \(version): a delta against a version not held (holds \(held))"
        case .evaluated(let version, let examples, let correct, let reason):
            line = reason.isEmpty ? "evaluated model version \(version) on \(examples) held-out examples: \(correct) correct"
                : "evaluated model version \(version): nothing counted (\(reason))"
        case .liveOutcomes: line = nil  // a metric, not a line: it comes with every look at the feedback
        case .disconnected(let reason): line = "disconnected: \(reason)"
        case .backingOff(let delay): line = "reconnecting in \(delay)"
        case .stopped: line = "stopped"
        }
        if let line { say("edge \(clientID): \(line)") }
    }
}
