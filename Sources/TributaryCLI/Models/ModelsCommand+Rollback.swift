import ArgumentParser
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models rollback [--to VERSION] --registry DIR`
    public struct Rollback: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "rollback",
            abstract: "Take the live version out of service and make the previous promoted version live again.")

        @Option(help: "Return to this promoted version instead of the previous one.")
        var to: String?

        @Option(help: "Why (recorded with the rolled-back version).")
        var reason: String = ""

        @OptionGroup var options: RegistryOptions

        public init() {}

        public func run() throws {
            let target = try to.map { try RegistryOptions.version($0, flag: "--to") }
            let registry = try options.open(.shared)
            if let target { _ = try registryCall { try registry.load(target) } }
            let (old, live) = try registryCall { try registry.rollback(to: target, reason: reason) }
            print("version \(old.number) rolled back; version \(live.number) is live")
        }
    }
}
