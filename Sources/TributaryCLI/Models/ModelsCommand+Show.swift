import ArgumentParser
import Foundation
import TributaryCoordinator
import TributaryLearning
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models show VERSION --registry DIR`
    public struct Show: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print a version's digest, lineage, round, participants, status, metrics, model and preprocessing.")

        @Argument(help: "The version number, or 'live'.")
        var version: String

        @OptionGroup var options: RegistryOptions

        public init() {}

        public func run() throws {
            let registry = try options.open(.readOnly)
            let shown: ModelVersion
            if version == "live" {
                guard let live = try registryCall({ try registry.live() }) else {
                    throw ModelsCommandError("no version is live in \(options.registry)")
                }
                shown = live
            } else {
                let number = try RegistryOptions.version(version)
                shown = try registryCall { try registry.show(number) }
            }
            let checkpoint = try registryCall { try registry.load(shown.number) }
            let decisions = try registryCall { try registry.decisions(of: shown.number) }
            print((shown.detailLines + Self.modelLines(checkpoint) + Self.ewcLines(version: shown.number, checkpoint)
                   + Self.decisionLines(decisions)).joined(separator: "\n"))
        }

        /// Release decisions with their evidence, oldest first (a canary started, rolled back, …).
        static func decisionLines(_ decisions: [VersionDecision]) -> [String] {
            guard !decisions.isEmpty else { return [] }
            let formatter = ISO8601DateFormatter()
            return ["decisions:"] + decisions.map { "  \(formatter.string(from: $0.at)) \($0.kind): \($0.reason)" }
        }

        /// The fleet's EWC memory the version carries: consolidations, the pending Fisher and its age.
        static func ewcLines(version: UInt64, _ checkpoint: Checkpoint) -> [String] {
            guard let ewc = try? GlobalModel(version: version, stored: checkpoint).ewc else { return [] }
            let pending = ewc.pending.isEmpty ? "no pending Fisher" : "a pending Fisher of \(ewc.pending.count) values"
            return ["global EWC:   \(ewc.consolidations) consolidation\(ewc.consolidations == 1 ? "" : "s"), \(ewc.age) round\(ewc.age == 1 ? "" : "s") since the last, \(pending)"]
        }

        /// The model and the preprocessing its inputs go through (what an app must feed it).
        static func modelLines(_ checkpoint: Checkpoint) -> [String] {
            let spec = checkpoint.spec
            let widths = ([spec.inputSize] + spec.layers.map(\.units)).map(String.init).joined(separator: "-")
            var lines = ["model:        MLP \(widths), \(spec.loss), \(spec.parameterLayout.totalCount) parameters"]
            let preprocessing = checkpoint.preprocessing
            let names = preprocessing.featureNames.map { " (\($0.joined(separator: ", ")))" } ?? ""
            if let standardizer = preprocessing.standardizer {
                let shown = zip(standardizer.mean, standardizer.std).prefix(4).map { String(format: "%.4g±%.4g", $0, $1) }
                lines.append("preprocessing: standardiser of \(preprocessing.featureCount) features\(names), "
                             + "mean±std \(shown.joined(separator: ", "))\(preprocessing.featureCount > 4 ? ", …" : "")")
            } else {
                lines.append("preprocessing: none (\(preprocessing.featureCount) raw features\(names))")
            }
            return lines
        }
    }
}
