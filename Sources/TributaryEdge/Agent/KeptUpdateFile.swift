import TributarySystem
import TributaryWire

/// The last Update an edge sent, kept in its state directory (``EdgeConfiguration/keptUpdatePath``)
/// so that a round offered again after a coordinator restart is answered with exactly the same
/// Update, even across an edge restart. The file is the Update's wire frame, written atomically
/// (temp file, fsync, rename) after the round's checkpoint and before the Update is sent.
enum KeptUpdateFile {
    /// No size limit beyond the frame's 4-byte length: the Update was built by this edge.
    static let wire = WireConfiguration(maxFrameBytes: Int(UInt32.max), chunkSize: 4 * 1024 * 1024, maxTransferBytes: Int(UInt32.max))

    static func save(_ update: Update, to path: String) throws {
        do {
            let bytes = try FrameCodec.encode(.update(update), configuration: wire)
            _ = AtomicFile.removeStaleTemporaries(of: path)
            try AtomicFile.write(bytes, to: path, mode: AtomicFile.privateMode)
        } catch {
            throw EdgeError(.state, "cannot save the kept Update \(path): \(error)")
        }
    }

    /// The kept Update, or nil when there is none.
    static func load(from path: String) throws -> Update? {
        guard AtomicFile.exists(path) else { return nil }
        do {
            guard case .update(let update) = try FrameCodec.decode(try AtomicFile.read(path), configuration: wire) else {
                throw EdgeError(.state, "the kept Update \(path) holds another message")
            }
            return update
        } catch let error as EdgeError {
            throw error
        } catch {
            throw EdgeError(.state, "the kept Update \(path) cannot be read: \(error)")
        }
    }
}
