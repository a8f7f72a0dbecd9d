import ArgumentParser
import TributaryRegistry

extension ModelsCommand {
    /// `tributary models sweep --registry DIR`
    public struct Sweep: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "sweep",
            abstract: "Remove orphan blobs and temporary files that killed commits left (not while a coordinator runs).",
            discussion: "Takes the registry's lock, as the coordinator does at start (when it sweeps too): refused, naming the holder, while a coordinator runs.")

        @OptionGroup var options: RegistryOptions

        public init() {}

        public func run() throws {
            let registry = try options.open(.exclusive)
            let report = try registryCall { try registry.sweep() }
            for path in report.removedOrphans { print("removed orphan blob \(path)") }
            for path in report.removedTemporaries { print("removed temporary file \(path)") }
            print("swept \(options.registry): \(report.summary)")
        }
    }
}
