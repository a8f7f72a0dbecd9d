import ArgumentParser
import Foundation
import TributaryConfig
import TributaryEdge

/// `--config FILE` and repeatable `--set KEY=VALUE`, shared by the subcommands.
struct ConfigOptions: ParsableArguments {
    @Option(help: "Configuration file (YAML; edge/edge.yaml documents every key).") var config: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override one key, KEY=VALUE (repeatable), e.g. --set triggers.volume=50.", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    /// The configuration file's reader, or nil without --config.
    func reader() throws -> ConfigReader? {
        guard let config else {
            guard overrides.isEmpty else { throw ValidationError("--set needs --config") }
            return nil
        }
        return try ConfigReader(contentsOf: config, overrides: overrides)
    }
}

/// Prints one line to stderr and exits non-zero: how every failure ends.
func fail(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    return ExitCode(1)
}

/// One warning line to stderr; the command goes on.
func warn(_ line: String) {
    FileHandle.standardError.write(Data(("warning: " + line + "\n").utf8))
}

/// One line to stdout, unbuffered (scripts and tests read it while the process runs).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
