import TributaryLearning
import TributarySystem

extension ONNXModel {
    /// The ONNX form of a checkpoint's model (see ``init(exporting:parameters:standardizer:options:)``)
    /// with the checkpoint's own preprocessing: its standardiser folded in, its feature names in
    /// the metadata. `standardizer` and `options.featureNames` stand in where the checkpoint has
    /// none (a model initialised without `--fit-data`).
    /// - Throws: `ONNXError.unexportable` when one is given that the checkpoint also has.
    public init(exporting checkpoint: Checkpoint, standardizer: Standardizer? = nil, options: ONNXExportOptions = ONNXExportOptions()) throws {
        var options = options
        options.featureNames = try Self.featureNames(of: checkpoint, given: options.featureNames)
        try self.init(exporting: checkpoint.spec, parameters: checkpoint.parameters,
                      standardizer: try Self.standardizer(of: checkpoint, given: standardizer), options: options)
    }

    /// The standardiser applied to the checkpoint's raw features: its own, else `given`.
    /// - Throws: `ONNXError.unexportable` when both are there: the checkpoint's own already
    ///   standardises, a second one would feed the model other inputs than it was trained on.
    public static func standardizer(of checkpoint: Checkpoint, given: Standardizer?) throws -> Standardizer? {
        guard let own = checkpoint.preprocessing.standardizer else { return given }
        guard given == nil else {
            throw ONNXError(.unexportable,
                            "the model carries its own standardiser (tributary init --fit-data); a second one (--fit-data) would change what it sees, leave it out")
        }
        return own
    }

    /// The checkpoint's feature names, else `given`; both when they agree.
    /// - Throws: `ONNXError.unexportable` when both are there and differ.
    static func featureNames(of checkpoint: Checkpoint, given: [String]?) throws -> [String]? {
        guard let own = checkpoint.preprocessing.featureNames else { return given }
        if let given, given != own {
            throw ONNXError(.unexportable,
                            "feature names \(given.joined(separator: ",")) given; the model names its features \(own.joined(separator: ","))")
        }
        return own
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
