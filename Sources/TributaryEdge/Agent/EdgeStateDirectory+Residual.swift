import Foundation
import TributaryCompression
import TributarySystem

/// Top-k's error-feedback residual (`ErrorFeedbackResidual.serialized`, format 4) in
/// `topk-residual.bin` beside the checkpoint: what the edge has not sent yet, so that a crash or
/// a restart does not lose it. Written atomically with the round (after its checkpoint, before
/// its kept Update). A residual of another model's parameter count is ignored at the next round
/// (a new architecture starts from zero).
extension EdgeStateDirectory {
    var residualPath: String { configuration.stateDirectory + "/topk-residual.bin" }

    /// The saved residual, or nil when there is none.
    func loadResidual() throws -> ErrorFeedbackResidual? {
        let path = residualPath
        guard AtomicFile.exists(path) else { return nil }
        do {
            return try ErrorFeedbackResidual(serialized: try AtomicFile.read(path))
        } catch {
            throw EdgeError(.state, "the top-k residual \(path) cannot be read: \(error)")
        }
    }

    func save(_ residual: ErrorFeedbackResidual) throws {
        let path = residualPath
        do {
            _ = AtomicFile.removeStaleTemporaries(of: path)
            try AtomicFile.write(residual.serialized, to: path, mode: AtomicFile.privateMode)
        } catch {
            throw EdgeError(.state, "cannot save the top-k residual \(path): \(error)")
        }
    }
}

extension EdgeAgent {
    /// The saved top-k residual, or nil (none, or unreadable: then top-k starts from a zero
    /// residual, and what was not sent before is lost, which the log says).
    func loadResidual() -> ErrorFeedbackResidual? {
        do {
            return try files.loadResidual()
        } catch {
            logger.warning("the top-k residual cannot be read; top-k starts from a zero residual", metadata: ["reason": "\(error)"])
            return nil
        }
    }
}
