import Foundation
import Testing
import TributaryLearning
import TributaryRegistry

/// `tributary models …` run as a user would: the built binary in a child process.
@Suite(.serialized) struct ModelsCLITests {
    func tributary(_ arguments: [String]) throws -> ChildOutput {
        try ChildOutput.models(arguments)
    }

    /// A registry with 1 (live), 2 (promoted), 3 (candidate).
    func populated() throws -> String {
        let directory = RegistryFixtures.temporaryDirectory()
        let registry = try RegistryFixtures.registry(directory)
        try registry.register(candidate: RegistryFixtures.candidate(seed: 1, round: 1))
        try registry.promote(1)
        try registry.register(candidate: RegistryFixtures.candidate(seed: 2, parent: 1, round: 2))
        try registry.promote(2)
        try registry.register(candidate: RegistryFixtures.candidate(seed: 3, parent: 2, round: 3))
        return directory
    }

    @Test func listShowPromoteRollbackExport() throws {
        let directory = try populated()
        let list = try tributary(["list", "--registry", directory])
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("VERSION  STATUS"))
        #expect(lines[2].contains("promoted (live)"))
        #expect(lines[3].contains("candidate"))

        let show = try tributary(["show", "2", "--registry", directory])
        #expect(show.status == 0)
        #expect(show.stdout.contains("parent:       1"))
        #expect(show.stdout.contains("participants: edge-a, edge-b"))
        #expect(show.stdout.contains("accuracy: 0.9"))

        let promote = try tributary(["promote", "3", "--registry", directory])
        #expect(promote.stdout == "version 3 is live (was version 2)\n", "\(promote.stderr)")
        let rollback = try tributary(["rollback", "--registry", directory, "--reason", "canary failed"])
        #expect(rollback.stdout == "version 3 rolled back; version 2 is live\n", "\(rollback.stderr)")
        let shown = try tributary(["show", "3", "--registry", directory])
        #expect(shown.stdout.contains("rolled_back") && shown.stdout.contains("canary failed"))

        let out = RegistryFixtures.temporaryDirectory() + "/live.ckpt"
        let export = try tributary(["export", "live", "--out", out, "--registry", directory])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try CheckpointStore.load(from: out).checkpoint == RegistryFixtures.checkpoint(seed: 2))
    }

    @Test(arguments: [
        (["show", "abc"], "VERSION 'abc' is not a version number"),
        (["show", "9"], "version 9 does not exist"),
        (["promote", "0"], "VERSION '0' is not a version number"),
        (["rollback", "--to", "3"], "version 3 is candidate"),
        (["export", "1"], "--out"),
    ])
    func badVersionsAndFlagsAreOneLine(arguments: [String], message: String) throws {
        let directory = try populated()
        let result = try tributary(arguments + ["--registry", directory])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func aMissingRegistryIsNamedAndNotCreated() throws {
        let missing = RegistryFixtures.temporaryDirectory() + "/nope"
        let result = try tributary(["list", "--registry", missing])
        #expect(result.status != 0)
        #expect(result.stderr == "error: --registry \(missing): no such directory\n")
        #expect(!FileManager.default.fileExists(atPath: missing))
        let empty = RegistryFixtures.temporaryDirectory()
        let notRegistry = try tributary(["list", "--registry", empty])
        #expect(notRegistry.stderr.contains("not a registry (no registry.sqlite inside)"))
    }

    @Test func exportRefusesToOverwriteWithoutForce() throws {
        let directory = try populated()
        let out = RegistryFixtures.temporaryDirectory() + "/m.ckpt"
        #expect(try tributary(["export", "1", "--out", out, "--registry", directory]).status == 0)
        let again = try tributary(["export", "1", "--out", out, "--registry", directory])
        #expect(again.status != 0 && again.stderr.contains("already exists"))
        #expect(try tributary(["export", "1", "--out", out, "--force", "--registry", directory]).status == 0)
    }
}
