import ArgumentParser
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models promote VERSION --registry DIR`
    public struct Promote: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "promote", abstract: "Make a version live (after verifying its checkpoint).")

        @Argument(help: "The version number to make live.")
        var version: String

        @OptionGroup var options: RegistryOptions

        public init() {}

        public func run() throws {
            let number = try RegistryOptions.version(version)
            let registry = try options.open(.shared)
            let previous = try registryCall { try registry.live() }
            // Never make live a model whose blob does not verify.
            _ = try registryCall { try registry.load(number) }
            let promoted = try registryCall { try registry.promote(number) }
            print("version \(promoted.number) is live" + (previous.map { $0.number == number ? " (it already was)" : " (was version \($0.number))" } ?? ""))
        }
    }
}
