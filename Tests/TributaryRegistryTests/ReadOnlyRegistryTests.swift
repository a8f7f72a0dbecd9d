import Foundation
import Testing
import TributaryLearning
import TributaryRegistry

/// `tributary models` on a registry mounted read-only. Tests run as root, which ignores file
/// modes, so the read-only condition is a real one root cannot bypass: the registry directory
/// bind-mounted read-only over itself in a private mount namespace (`unshare -m`), around the
/// command only.
@Suite(.serialized) struct ReadOnlyRegistryTests {
    /// `tributary models ARGUMENTS` with `directory` read-only.
    func readOnly(_ directory: String, _ arguments: [String]) throws -> ChildOutput {
        let script = #"mount --bind -o ro "$0" "$0" || { echo "cannot mount $0 read-only" >&2; exit 97; }; exec "$@""#
        let output = try ChildOutput("/usr/bin/unshare", ["-m", "--propagation", "private", "sh", "-c", script, directory,
                                                          RegistryFixtures.binary("tributary"), "models"] + arguments + ["--registry", directory])
        #expect(output.status != 97, "this test needs a read-only bind mount (root, unshare -m): \(output.stderr)")
        return output
    }

    /// Cleanly closed (no -wal left: opened immutable), or its writer SIGKILLed (-wal and -shm left).
    @Test(arguments: [false, true])
    func readCommandsWorkAndWriteCommandsSayReadOnly(writerKilled: Bool) throws {
        let directory = RegistryFixtures.temporaryDirectory()
        if writerKilled {
            var child = try RegistryChild([directory])
            _ = child.read(lines: 4)
            _ = child.kill()
        } else {
            let registry = try RegistryFixtures.registry(directory)
            try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
            try registry.promote(1)
        }
        #expect(FileManager.default.fileExists(atPath: directory + "/registry.sqlite-wal") == writerKilled)
        let versions = try ModelRegistry(configuration: RegistryConfiguration(directory: directory, access: .readOnly)).list()
        let live = try #require(versions.first { $0.isLive })

        let list = try readOnly(directory, ["list"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").count == versions.count + 1, "\(list.stdout)")
        let show = try readOnly(directory, ["show", "live"])
        #expect(show.stdout.contains("version:      \(live.number)"), "\(show.stderr)")
        let out = RegistryFixtures.temporaryDirectory() + "/live.ckpt"
        let export = try readOnly(directory, ["export", "live", "--out", out])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try CheckpointCodec.digest(of: CheckpointStore.load(from: out).checkpoint) == live.digest)

        for command in [["promote", "\(live.number)"], ["reject", "1", "--reason", "x"], ["rollback"], ["sweep"]] {
            let refused = try readOnly(directory, command)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("registry \(directory) is read-only ("), "\(command): \(refused.stderr)")
            #expect(refused.stderr.contains("Read-only file system"), "\(command): \(refused.stderr)")
        }
    }
}
