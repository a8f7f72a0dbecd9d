import ArgumentParser

/// `tributary-edge`: the small edge agent executable.
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary-edge",
        abstract: "Tributary edge agent: serves its model, collects feedback on its predictions, trains when the coordinator offers a round.",
        subcommands: [RunCommand.self, ImportCommand.self, PredictCommand.self, ExportCommand.self])
}
