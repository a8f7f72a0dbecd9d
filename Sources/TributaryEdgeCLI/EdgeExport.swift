import ArgumentParser
import Foundation
import TributaryEdge
import TributaryLearning
import TributaryONNX

/// What `tributary-edge export --format` writes.
package enum EdgeExportFormat: String, CaseIterable, ExpressibleByArgument {
    /// A standard ONNX model (opset 13) of the held model, for the device app's own runtime.
    case onnx
}

/// `tributary-edge export`: the model this edge holds (its checkpoint, `state.directory/edge.ckpt`:
/// the fleet's version it last adopted, or its own training since) as a file an app runs
/// without Tributary.
package enum EdgeExport {
    /// Writes the held model to `path` as ONNX; returns the line to print. Throws `EdgeError`
    /// (`.state`) when the edge holds no model yet or its checkpoint cannot be read, and
    /// `ONNXError` when the file cannot be written.
    package static func onnx(configuration: EdgeConfiguration, standardizer: Standardizer? = nil, to path: String, overwrite: Bool) throws -> String {
        let checkpointPath = configuration.checkpointPath
        guard FileManager.default.fileExists(atPath: checkpointPath) else {
            throw EdgeError(.state, "no model to export: \(checkpointPath) does not exist (the edge holds a model once it has adopted one from the coordinator)")
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try CheckpointStore.load(from: checkpointPath).checkpoint
        } catch {
            throw EdgeError(.state, "edge checkpoint \(checkpointPath) cannot be loaded (\(error))")
        }
        let version = ModelAdoption.version(of: checkpoint)
        let model = try ONNXModel(exporting: checkpoint, standardizer: standardizer, options: ONNXExportOptions(modelVersion: version))
        let bytes = try model.write(to: path, overwrite: overwrite)
        return "exported the held model (version \(version)) as ONNX (\(model.summary); \(bytes) bytes) to \(path)"
    }
}
