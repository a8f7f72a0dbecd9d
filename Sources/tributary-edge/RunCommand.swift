import ArgumentParser
import TributaryEdgeCLI

/// `tributary-edge run`: the long-running agent, until SIGTERM/SIGINT or a fatal refusal.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the edge agent: stay connected to the coordinator over mutual TLS 1.3 (reconnecting with backoff), report Ready when a trigger fires, answer RoundOffers, adopt ModelReleases, serve the held model on the loopback endpoint (ingestion.enabled).",
        discussion: "With --config, the flags below override the file. Without it, --coordinator, --ca, --cert, --key, --state and --data are required and the CSV is the agent's data in memory.")

    @OptionGroup var options: RunOptions

    func run() async throws {
        try await EdgeRun.run(options, faults: .none)
    }
}
