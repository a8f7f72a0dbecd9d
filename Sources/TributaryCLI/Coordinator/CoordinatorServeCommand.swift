import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TributaryConfig
import TributaryCoordinator
import TributaryLogging
import TributaryTransport

/// `tributary coordinator serve --config coordinator.yaml`: the coordinator service, until
/// SIGTERM/SIGINT (graceful: Goodbye{SHUTDOWN} to every client) or `rounds.max_rounds`.
/// Prints one stable line per event to stdout (`CoordinatorEvent.line`); logs go to stderr.
struct CoordinatorServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run federated rounds for edge agents over mutual TLS 1.3 (see coordinator/coordinator.yaml).")

    @Option(help: "The configuration file (YAML); coordinator/coordinator.yaml documents every key.") var config: String
    @Option(name: .customLong("set"), help: ArgumentHelp("Override one key, e.g. --set rounds.target_updates=12 (repeatable).", valueName: "KEY=VALUE"))
    var overrides: [String] = []
    @Option(help: "Listen address HOST:PORT (the same as --set listen=…; port 0 picks a free one).") var listen: String?
    @Option(help: "Admin endpoint HOST:PORT (the same as --set admin.listen=…).") var admin: String?
    @Option(help: "Log format: text or json, one object a line (the same as --set logging.format=…).") var logFormat: String?

    func run() async throws {
        var logger = Logger(label: "tributary.coordinator")
        logger.logLevel = .info
        let configuration: CoordinatorConfiguration
        do {
            var all = overrides
            if let listen { all.append("listen=\(listen)") }
            if let admin { all.append("admin.listen=\(admin)") }
            if let logFormat { all.append("logging.format=\(logFormat)") }
            configuration = try CoordinatorConfiguration.load(contentsOf: config, overrides: all)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        ProcessLogging.format = configuration.logFormat
        do {
            try await CoordinatorProcess.serve(Coordinator(configuration: configuration, logger: logger), logger: logger)
        } catch {
            FileHandle.standardError.write(Data("error: \(Self.describe(error))\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The coordinator's own reason, unwrapped from the service group's error.
    static func describe(_ error: any Error) -> String {
        if let error = error as? CoordinatorError { return error.reason }
        let text = "\(error)"
        return text
    }
}

/// One line to stdout, unbuffered (scripts and tests read it while the process runs).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// What both coordinator executables (`tributary coordinator serve`, `tributary-coordinator-crashtest`) run.
package enum CoordinatorProcess {
    /// Runs `coordinator` in a `ServiceGroup` (SIGTERM and SIGINT shut it down gracefully),
    /// printing one line per event, until it stops; shared with `tributary-coordinator-crashtest`.
    package static func serve(_ coordinator: Coordinator, logger: Logger) async throws {
        let printer = Task {
            for await event in coordinator.events { say(event.line) }
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: coordinator, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            _ = await printer.value
            throw error
        }
        _ = await printer.value
    }
}
