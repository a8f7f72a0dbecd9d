import TributaryLearning
import TributarySystem

extension ONNXModel {
    /// The ONNX form of a checkpoint's model (see ``init(exporting:parameters:standardizer:options:)``).
    public init(exporting checkpoint: Checkpoint, standardizer: Standardizer?, options: ONNXExportOptions = ONNXExportOptions()) throws {
        try self.init(exporting: checkpoint.spec, parameters: checkpoint.parameters, standardizer: standardizer, options: options)
    }

    /// Writes the model to `path` atomically (temporary file, fsync, rename): the path holds the
    /// old file or the whole new one. Returns the number of bytes written.
    /// - Throws: `ONNXError.io` naming the path, e.g. when it exists and `overwrite` is false.
    @discardableResult
    public func write(to path: String, overwrite: Bool = false) throws -> Int {
        let bytes = try serializedBytes()
        do {
            try AtomicFile.write(bytes, to: path, overwrite: overwrite)
        } catch let error as FileError {
            throw ONNXError(.io, error.reason)
        }
        return bytes.count
    }
}
