import ArgumentParser

/// `tributary models`: inspect and steer the coordinator's model registry.
///
/// The root `tributary` command registers this as a subcommand.
public struct ModelsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, inspect, promote, reject, roll back and export model versions in a registry, and sweep its debris.",
        discussion: """
            A registry directory holds registry.sqlite (version metadata and the round journal, \
            SQLite in WAL mode) and blobs/sha256/<aa>/<digest> (the checkpoint of each version). \
            Exactly one promoted version is live at a time. list, show and export only read (they \
            work on a read-only registry); promote, reject and rollback change rows beside a running \
            coordinator; sweep needs the registry to itself.
            """,
        subcommands: [List.self, Show.self, Promote.self, Reject.self, Rollback.self, Export.self, Sweep.self]
    )

    public init() {}
}
