import ArgumentParser
import Foundation
import TributaryConfig
import TributaryEdge

/// `--config FILE` and repeatable `--set KEY=VALUE`, shared by the subcommands.
package struct ConfigOptions: ParsableArguments {
    @Option(help: "Configuration file (YAML; edge/edge.yaml documents every key).") package var config: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override one key, KEY=VALUE (repeatable), e.g. --set triggers.volume=50.", valueName: "KEY=VALUE"))
    package var overrides: [String] = []

    package init() {}

    /// The configuration file's reader, or nil without --config. `flags` are the command's own
    /// flags as `KEY=VALUE` (e.g. `--coordinator` as `coordinator.address=…`): they stand in for the
    /// file's keys, so a file may leave out what the command line gives, and `--set` wins over both.
    package func reader(flags: [String] = []) throws -> ConfigReader? {
        guard let config else {
            guard overrides.isEmpty else { throw ValidationError("--set needs --config") }
            return nil
        }
        return try ConfigReader(contentsOf: config, overrides: flags + overrides)
    }
}
