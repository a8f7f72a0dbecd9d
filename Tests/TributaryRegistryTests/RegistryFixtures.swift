#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TributaryLearning
import TributaryRegistry

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date()) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

enum RegistryFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-registry-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func registry(_ directory: String = temporaryDirectory(), clock: TestClock = TestClock()) throws -> ModelRegistry {
        try ModelRegistry(configuration: RegistryConfiguration(directory: directory, clock: { clock.now }))
    }

    /// The registry opened as a coordinator opens it: holding its lock.
    static func exclusive(_ directory: String) throws -> ModelRegistry {
        try ModelRegistry(configuration: RegistryConfiguration(directory: directory, access: .exclusive))
    }

    static func checkpoint(seed: UInt64) throws -> Checkpoint {
        try Checkpoint.fresh(spec: ModelSpec.mlp(input: 4, hidden: [8], outputs: 3), seed: seed)
    }

    static func candidate(seed: UInt64, parent: UInt64? = nil, round: UInt64? = nil) throws -> VersionCandidate {
        VersionCandidate(
            checkpoint: try checkpoint(seed: seed), parent: parent, roundID: round, participants: ["edge-a", "edge-b"],
            metrics: ["accuracy": 0.9, "bwt": -0.01], note: "seed \(seed)")
    }

    /// The built executable `name` beside the tests.
    static func binary(_ name: String) -> String {
        packageRoot.appendingPathComponent(".build/debug/\(name)").path
    }
}

/// A child process started from the built executables, read line by line.
struct RegistryChild {
    let process = Process()
    private let out = Pipe()
    private var text = ""

    /// Starts `tributary-registry-crashtest` with `arguments` (stderr discarded). A child still
    /// running after `stuckAfter` seconds is stuck: it is killed, so a read waiting on it ends.
    init(_ arguments: [String], stuckAfter: TimeInterval = 300) throws {
        process.executableURL = URL(fileURLWithPath: RegistryFixtures.binary("tributary-registry-crashtest"))
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let child = process
        DispatchQueue.global().asyncAfter(deadline: .now() + stuckAfter) {
            if child.isRunning { Glibc.kill(child.processIdentifier, SIGKILL) }
        }
    }

    /// Reads until `lines` lines have arrived (or the child closed its output) and returns them.
    mutating func read(lines: Int) -> [String] {
        while text.filter({ $0 == "\n" }).count < lines {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return text.split(separator: "\n").map(String.init)
    }

    /// SIGKILLs the child, waits for it, and returns every line it printed.
    mutating func kill() -> [String] {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }
}

/// What a finished child printed.
struct ChildOutput {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `executable` with `arguments` to its end.
    init(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        self.status = process.terminationStatus
        self.stdout = String(decoding: stdout, as: UTF8.self)
        self.stderr = String(decoding: stderr, as: UTF8.self)
    }

    /// `tributary models ARGUMENTS`.
    static func models(_ arguments: [String]) throws -> ChildOutput {
        try ChildOutput(RegistryFixtures.binary("tributary"), ["models"] + arguments)
    }
}

extension RegistryFixtures {
    /// Every file under `<directory>/blobs/sha256/*/` (blobs and temporaries) with its size.
    static func blobTree(_ directory: String) -> [String: Int64] {
        let base = directory + "/blobs/sha256"
        var files: [String: Int64] = [:]
        for shard in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: base + "/" + shard)) ?? [] {
                let path = "\(base)/\(shard)/\(name)"
                files[path] = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
            }
        }
        return files
    }
}
