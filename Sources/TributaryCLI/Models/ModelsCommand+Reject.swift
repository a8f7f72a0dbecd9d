import ArgumentParser
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models reject VERSION --reason TEXT --registry DIR`
    public struct Reject: ParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "reject", abstract: "Mark a candidate, or a promoted version found bad, as rejected.",
            discussion: "A rejected version can never be promoted or restored. Rejecting the live version takes it out of service like `rollback`: the version live before it is live again, and a running coordinator releases it to every edge.")

        @Argument(help: "The version number (a candidate or a promoted version, live or not).")
        var version: String

        @Option(help: "Why it is rejected (recorded with the version).")
        var reason: String

        @OptionGroup var options: RegistryOptions

        public init() {}

        public func run() throws {
            let number = try RegistryOptions.version(version)
            let registry = try options.open(.shared)
            let wasLive = try registryCall { try registry.live()?.number } == number
            _ = try registryCall { try registry.reject(number, reason: reason) }
            print("version \(number) rejected: \(reason)")
            if wasLive, let live = try registryCall({ try registry.live() }) {
                print("version \(live.number) is live again (a running coordinator releases it to every edge)")
            }
        }
    }
}
