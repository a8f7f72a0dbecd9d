import ArgumentParser
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models list --registry DIR`
    public struct List: ParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "list", abstract: "List every version, oldest first.")

        @OptionGroup var options: RegistryOptions

        public init() {}

        public func run() throws {
            let registry = try options.open(.readOnly)
            let versions = try registryCall { try registry.list() }
            if versions.isEmpty {
                print("no versions in \(options.registry)")
                return
            }
            print(TextTable.render(
                header: ["VERSION", "STATUS", "PARENT", "ROUND", "CREATED", "CLIENTS", "DIGEST", "NOTE"],
                rows: versions.map(\.row)))
        }
    }
}
