import ArgumentParser
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models reject VERSION --reason TEXT --registry DIR`
    public struct Reject: ParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "reject", abstract: "Mark a candidate as rejected.")

        @Argument(help: "The candidate version number.")
        var version: String

        @Option(help: "Why it is rejected (recorded with the version).")
        var reason: String

        @OptionGroup var options: RegistryOptions

        public init() {}

        public func run() throws {
            let number = try RegistryOptions.version(version)
            let registry = try options.open(.shared)
            _ = try registryCall { try registry.reject(number, reason: reason) }
            print("version \(number) rejected: \(reason)")
        }
    }
}
