import ArgumentParser

/// `tributary rollout status|promote|abort`: the operator's side of a canary or A/B rollout, on
/// the coordinator's admin endpoint.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Show or settle the rollout in flight (release.policy canary or ab) through the admin endpoint.",
        subcommands: [Status.self, Promote.self, Abort.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The rollout in flight and its live comparison (GET /v1/rollout), as JSON; {\"rollout\":null} when none.")
        @OptionGroup var options: RoundCommand.AdminOptions

        func run() async throws {
            try options.finish(try await options.call("GET", "/v1/rollout"))
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Promote the rollout's version to every client now (POST /v1/rollout/promote); prints the stored decision.")
        @OptionGroup var options: RoundCommand.AdminOptions

        func run() async throws {
            try options.finish(try await options.call("POST", "/v1/rollout/promote"))
        }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll the rollout's version back now (POST /v1/rollout/abort): the cohort gets the live version again; prints the stored decision.")
        @OptionGroup var options: RoundCommand.AdminOptions

        func run() async throws {
            try options.finish(try await options.call("POST", "/v1/rollout/abort"))
        }
    }
}
