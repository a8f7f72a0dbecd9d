import Foundation
import Testing
import TributaryLearning
import TributaryRegistry

/// The registry's exclusive lock, held by a real child process and released by SIGKILL.
@Suite(.serialized) struct RegistryLockTests {
    @Test func aHeldLockRefusesExclusiveAccessNamingTheHolderUntilTheHolderIsKilled() throws {
        let directory = RegistryFixtures.temporaryDirectory()
        let shared = try RegistryFixtures.registry(directory)
        try shared.register(candidate: RegistryFixtures.candidate(seed: 1))
        try shared.promote(1)
        // The helper opens the registry exclusively (as a coordinator does) and waits after writing a blob.
        var holder = try RegistryChild([directory, "--orphan"])
        defer { if holder.process.isRunning { _ = holder.kill() } }
        #expect(holder.read(lines: 1).first?.hasPrefix("blob ") == true)
        let pid = holder.process.processIdentifier
        let expected = "registry \(directory) is in use by tributary-registry-crashtest \(directory) --orphan (pid \(pid) on host "

        #expect {
            try RegistryFixtures.exclusive(directory)
        } throws: { error in
            let error = error as? RegistryError
            return error?.code == .locked && error!.reason.hasPrefix(expected) && error!.reason.hasSuffix("; stop it first")
        }
        let refused = try ChildOutput.models(["sweep", "--registry", directory])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(expected) && refused.stderr.contains("stop it first"), "\(refused.stderr)")
        // Reads and row changes go on beside the holder: an operator can inspect and roll back a running fleet.
        #expect(try ChildOutput.models(["list", "--registry", directory]).status == 0)
        try shared.register(candidate: RegistryFixtures.candidate(seed: 2, parent: 1))
        let promote = try ChildOutput.models(["promote", "2", "--registry", directory])
        #expect(promote.stdout == "version 2 is live (was version 1)\n", "\(promote.stderr)")

        // SIGKILL: the kernel drops the lock, and the next holder sweeps the blob the child left.
        _ = holder.kill()
        let sweep = try ChildOutput.models(["sweep", "--registry", directory])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains("removed 1 orphan blob and 0 temporary files"), "\(sweep.stdout)")
        #expect(try RegistryFixtures.exclusive(directory).live()?.number == 2)
    }

    @Test func oneProcessMayHoldTheLockMoreThanOnce() throws {
        let directory = RegistryFixtures.temporaryDirectory()
        do {
            let first = try RegistryFixtures.exclusive(directory)
            let second = try RegistryFixtures.exclusive(directory + "/.")
            try second.register(candidate: RegistryFixtures.candidate(seed: 1))
            #expect(try first.list().count == 1)
        }
        // Both closed: the lock is free for another process, which commits.
        var child = try RegistryChild([directory])
        #expect(child.read(lines: 1).first == "registered 2")
        _ = child.kill()
    }
}
