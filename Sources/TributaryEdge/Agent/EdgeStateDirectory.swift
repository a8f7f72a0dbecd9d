import Foundation
import TributaryLearning
import TributarySystem
import TributaryWire

/// The files of an edge's state directory that survive a crash: the checkpoint
/// (``EdgeConfiguration/checkpointPath``) and the last Update sent
/// (``EdgeConfiguration/keptUpdatePath``, its wire frame), so that a round offered again after a
/// coordinator restart is answered with exactly the same Update, even across an edge restart.
/// Both are written atomically (temp file, fsync, rename); the Update after the round's
/// checkpoint and before it is sent.
struct EdgeStateDirectory: Sendable {
    let configuration: EdgeConfiguration

    /// No size limit beyond the frame's 4-byte length: the Update was built by this edge.
    static let wire = WireConfiguration(maxFrameBytes: Int(UInt32.max), chunkSize: 4 * 1024 * 1024, maxTransferBytes: Int(UInt32.max))

    /// Creates the directory if needed and loads the checkpoint, if any.
    func loadCheckpoint() throws -> Checkpoint? {
        let path = configuration.checkpointPath
        do {
            try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw EdgeError(.state, "state directory \(configuration.stateDirectory): cannot create it (\((error as NSError).localizedDescription))")
        }
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try CheckpointStore.load(from: path).checkpoint
        } catch {
            throw EdgeError(.state, "edge checkpoint \(path) cannot be loaded (\(error)); move it aside to start from the coordinator's next model")
        }
    }

    func save(_ checkpoint: Checkpoint) throws {
        do {
            _ = try CheckpointStore.save(checkpoint, to: configuration.checkpointPath)
        } catch {
            throw EdgeError(.state, "cannot save the edge checkpoint \(configuration.checkpointPath): \(error)")
        }
    }

    /// The kept Update, or nil when there is none.
    func loadKeptUpdate() throws -> Update? {
        let path = configuration.keptUpdatePath
        guard AtomicFile.exists(path) else { return nil }
        do {
            guard case .update(let update) = try FrameCodec.decode(try AtomicFile.read(path), configuration: Self.wire) else {
                throw EdgeError(.state, "the kept Update \(path) holds another message")
            }
            return update
        } catch let error as EdgeError {
            throw error
        } catch {
            throw EdgeError(.state, "the kept Update \(path) cannot be read: \(error)")
        }
    }

    func keep(_ update: Update) throws {
        let path = configuration.keptUpdatePath
        do {
            let bytes = try FrameCodec.encode(.update(update), configuration: Self.wire)
            _ = AtomicFile.removeStaleTemporaries(of: path)
            try AtomicFile.write(bytes, to: path, mode: AtomicFile.privateMode)
        } catch {
            throw EdgeError(.state, "cannot save the kept Update \(path): \(error)")
        }
    }
}
