import ArgumentParser

/// `tributary`: the command-line entry point.
public struct TributaryCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Federated incremental learning: checkpoints, incremental jobs, evaluation.",
        subcommands: [
            InitCommand.self, TrainCommand.self, EvalCommand.self, PredictCommand.self, DemoCommand.self, SimulateCommand.self, FederateCommand.self, SuiteCommand.self, GlucoseCommand.self, BenchCommand.self,
            CertsCommand.self, ModelsCommand.self, CoordinatorCommand.self, RoundCommand.self, RolloutCommand.self, ProtocolCommand.self,
        ])

    public init() {}
}
