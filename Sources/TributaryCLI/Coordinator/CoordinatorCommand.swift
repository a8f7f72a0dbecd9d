import ArgumentParser

/// `tributary coordinator`: the coordinator process.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator", abstract: "Run the coordinator.", subcommands: [CoordinatorServeCommand.self])
}
