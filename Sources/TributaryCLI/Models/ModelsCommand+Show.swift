import ArgumentParser
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models show VERSION --registry DIR`
    public struct Show: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print a version's digest, lineage, round, participants, status and metrics.")

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
            print(shown.detailLines.joined(separator: "\n"))
        }
    }
}
