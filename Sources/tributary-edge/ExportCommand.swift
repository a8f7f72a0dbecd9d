import ArgumentParser
import TributaryEdge
import TributaryEdgeCLI

/// `tributary-edge export --format onnx --config edge.yaml OUT`: the held model as a file an
/// app runs with its own runtime.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the model this edge holds (state.directory/edge.ckpt) as a standard ONNX file for the device app's own runtime.",
        discussion: "Input 'features' float32 [N, inputs]; outputs 'logits' and 'probabilities' (a regression model: 'prediction'). docs/onnx.md shows how to run it.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "onnx (the only format so far).") var format: EdgeExportFormat
    @Flag(help: "Replace OUT if it exists.") var force = false
    @Argument(help: "The file to write.") var out: String

    func run() throws {
        do {
            guard let reader = try options.reader() else { throw ValidationError("export needs --config (the edge's state directory)") }
            let configuration = try EdgeConfiguration(reader: reader)
            try reader.finish()
            switch format {
            case .onnx: say(try EdgeExport.onnx(configuration: configuration, to: out, overwrite: force))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(error)
        }
    }
}
