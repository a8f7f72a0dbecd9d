import ArgumentParser
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models export VERSION --out PATH --registry DIR`
    public struct Export: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "export", abstract: "Write a version's verified checkpoint to a file.")

        @Argument(help: "The version number, or 'live'.")
        var version: String

        @Option(help: "The checkpoint file to write.")
        var out: String

        @Flag(help: "Replace --out if it exists.")
        var force = false

        @OptionGroup var options: RegistryOptions

        public init() {}

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
    }
}
