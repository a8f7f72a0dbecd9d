import ArgumentParser
import TributaryLearning
import TributaryONNX
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models export VERSION --out PATH --registry DIR [--format checkpoint|onnx]`
    public struct Export: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "export", abstract: "Write a version's verified checkpoint, or the model as ONNX, to a file.",
            discussion: """
                --format onnx writes a standard ONNX model (opset 13): input 'features' float32 [N, inputs], \
                outputs 'logits' and 'probabilities' (a regression model: 'prediction'), the standardiser of \
                --fit-data folded into the first layer, so an app feeds raw features to its own runtime \
                (onnxruntime, …). docs/onnx.md shows how to run it.
                """)

        @Argument(help: "The version number, or 'live'.")
        var version: String

        @Option(help: "The file to write.")
        var out: String

        @Option(help: "checkpoint (the registry's verified blob, bit for bit) or onnx.")
        var format: ExportFormat = .checkpoint

        @Flag(help: "Replace --out if it exists.")
        var force = false

        @OptionGroup var options: RegistryOptions

        @OptionGroup(title: "ONNX preprocessing (--format onnx)") var preprocessing: PreprocessingOptions

        @OptionGroup(title: "--fit-data CSV") var dataOptions: DataOptions

        public init() {}

        public func validate() throws {
            if format == .checkpoint, !preprocessing.isEmpty {
                throw ValidationError("--fit-data and --feature-names apply to --format onnx only (the checkpoint is exported as stored)")
            }
        }

        public func run() throws {
            let registry = try options.open(.readOnly)
            let number: UInt64
            if version == "live" {
                guard let live = try registryCall({ try registry.live() }) else {
                    throw ModelsCommandError("no version is live in \(options.registry)")
                }
                number = live.number
            } else {
                number = try RegistryOptions.version(version)
            }
            if format == .onnx { return try exportONNX(number, registry: registry) }
            do {
                try registry.export(number, to: out, overwrite: force)
            } catch let error as RegistryError where error.code == .io {
                throw ModelsCommandError("--out \(out): \(error.reason)")
            } catch let error as RegistryError {
                throw ModelsCommandError(error.reason)
            }
            let shown = try registryCall { try registry.show(number) }
            print("exported version \(number) (sha256:\(shown.digest.prefix(16))…, \(shown.byteCount) bytes) to \(out)")
        }

        private func exportONNX(_ number: UInt64, registry: ModelRegistry) throws {
            let checkpoint = try registryCall { try registry.load(number) }
            let standardizer = try preprocessing.standardizer(for: checkpoint.spec, data: dataOptions)
            do {
                let model = try ONNXModel(
                    exporting: checkpoint, standardizer: standardizer,
                    options: ONNXExportOptions(modelVersion: number, featureNames: preprocessing.names))
                let bytes = try model.write(to: out, overwrite: force)
                print("exported version \(number) as ONNX (\(model.summary); \(bytes) bytes) to \(out)")
            } catch let error as ONNXError where error.code == .io {
                throw ModelsCommandError("--out \(out): \(error.reason)")
            } catch let error as ONNXError {
                throw ModelsCommandError("version \(number): \(error.reason)")
            }
        }
    }
}
