import ArgumentParser

/// What `tributary models export --format` writes.
enum ExportFormat: String, CaseIterable, ExpressibleByArgument {
    /// The version's verified checkpoint, bit for bit (the registry's blob).
    case checkpoint
    /// A standard ONNX model (opset 13) an app runs with its own runtime, preprocessing folded in.
    case onnx
}
