import Foundation
import Testing
import TributarySystem
#if canImport(Glibc)
import Glibc
#endif

/// `tributary-edge import` as a real process on files of a few hundred MB: the file is streamed,
/// so the error comes at the first bad row and the process's peak memory stays far below the
/// file's size.
///
/// The peak is GNU time's `%M` for its own child, not this process's `wait4` of a child it spawned:
/// `posix_spawn` starts the child in this (test) process's address space (`CLONE_VM|CLONE_VFORK`),
/// and Linux's exec carries that address space's high-water RSS into the child's `ru_maxrss`, so
/// a direct child reports at least the test process's own peak (212 MB in one CI run, from other
/// tests in the same process). time's child is a real fork of the small `time` process.
@Suite(.serialized) struct CSVImportProcessTests {
    struct Measured {
        var status: Int32
        var stderr: String
        /// Peak resident memory of the child, in bytes.
        var peakBytes: Int
    }

    /// Runs `tributary-edge` with `arguments` under `/usr/bin/time` (Debian package `time`);
    /// stdout is discarded.
    static func runMeasured(_ arguments: [String], in dir: String) throws -> Measured {
        let errPath = dir + "/stderr.txt", peakPath = dir + "/peak-kib.txt"
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else {
            throw FileError(.io, path: time, reason: "GNU time is needed to measure a child's peak memory (apt-get install time)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let command = [time, "-f", "%M", "-o", peakPath, CoordinatorEdgeProcessTests.edgeBinary.path] + arguments
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0]!, &actions, nil, argv, environ)
        guard spawned == 0 else { throw FileError(.io, path: time, reason: "posix_spawn: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        // time writes "Command exited with non-zero status N" first when the child failed; %M is the last line.
        let report = String(decoding: try AtomicFile.read(peakPath), as: UTF8.self)
        guard let kib = report.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw FileError(.io, path: peakPath, reason: "no peak memory in GNU time's report: '\(report)'")
        }
        return Measured(status: exited ? (status >> 8) & 0xff : -1,
                        stderr: String(decoding: try AtomicFile.read(errPath), as: UTF8.self), peakBytes: kib * 1024)
    }

    /// A file of `head`, then `megabytes` MiB of `filler` lines, written 1 MiB at a time.
    static func write(_ path: String, head: String, filler: String, megabytes: Int) throws {
        _ = FileManager.default.createFile(atPath: path, contents: Data(head.utf8))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        let block = Data(String(repeating: filler, count: (1 << 20) / filler.utf8.count).utf8)
        for _ in 0..<megabytes { try handle.write(contentsOf: block) }
    }

    static func config(_ dir: String, extra: String = "") throws -> String {
        let path = dir + "/edge.yaml"
        try """
            coordinator: {address: "127.0.0.1:7443"}
            tls: {ca: \(dir)/ca.pem, cert: \(dir)/edge.pem, key: \(dir)/edge-key.pem}
            state: {directory: \(dir)/state}
            feedback: {features: 2, classes: 3\(extra)}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A bad row early in a huge file, and a huge file with no line break: the error comes at the
    /// first bad row (or at the line-length cap) and memory stays far below the file's size.
    @Test(arguments: [
        ("1,2,0\n1,x,0\n", "1.25,2.5,1\n", "row 3, column 2 (b): 'x' is not a number"),
        ("", "x7;", "line 1 is longer than 1048576 bytes (the maximum line length); is this a CSV file?"),
    ])
    func aHugeBadFileFailsAtTheFirstBadRowWithBoundedMemory(rows: String, filler: String, message: String) throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = dir + "/big.csv"
        try Self.write(big, head: rows.isEmpty ? "" : "a,b,label\n" + rows, filler: filler, megabytes: 300)
        let result = try Self.runMeasured(["import", "--config", try Self.config(dir), "--max-bytes", "\(1 << 30)", big], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr == "Error: \(big): \(message)\n")
        #expect(result.peakBytes < 200 << 20, "peak memory \(result.peakBytes) bytes for a 300 MiB file")
    }

    @Test func aFileOverTheImportCapIsRefusedUnreadAndTheStoreIsUnchanged() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = dir + "/rows.csv"
        try AtomicFile.write(Array(("a,b,label\n" + String(repeating: "1,2,0\n", count: 100)).utf8), to: csv)
        let config = try Self.config(dir, extra: ", import_max_bytes: 500")
        let refused = try Self.runMeasured(["import", "--config", config, csv], in: dir)
        #expect(refused.status == 1)
        #expect(refused.stderr == "Error: \(csv): the file is 610 bytes, more than the maximum of 500\n")
        let flag = try Self.runMeasured(["import", "--config", config, "--max-bytes", "100", csv], in: dir)
        #expect(flag.stderr == "Error: \(csv): the file is 610 bytes, more than the maximum of 100\n")
        let accepted = try Self.runMeasured(["import", "--config", config, "--max-bytes", "610", csv], in: dir)
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }

    @Test func theAgentSkipsAnImportOverTheCapAndStarts() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try EdgeProcessTests.fleet(dir, clients: ["edge-1"])
        let csv = dir + "/rows.csv"
        try AtomicFile.write(Array(("a,b,label\n" + String(repeating: "1,2,0\n", count: 100)).utf8), to: csv)
        // Nothing listens on the coordinator's port: the agent keeps reconnecting once started.
        try EdgeProcessTests.config(dir, id: "edge-1", port: 1, extra: "feedback: {features: 2, classes: 3, import: [\(csv)], import_max_bytes: 500}")
            .replacingOccurrences(of: "feedback: {features: 64, classes: 10}\n", with: "")
            .write(toFile: dir + "/edge.yaml", atomically: true, encoding: .utf8)
        let (edge, _, err) = try EdgeProcessTests.launch(["run", "--config", dir + "/edge.yaml"])
        defer { if edge.isRunning { edge.terminate() }; edge.waitUntilExit() }
        let lines = CoordinatorEdgeProcessTests.LineReader(err)
        let warning = lines.waitFor("skipped import", seconds: 60)
        #expect(warning == "warning: edge edge-1: skipped import: \(csv): the file is 610 bytes, more than the maximum of 500", "\(lines.all)")
        #expect(edge.isRunning, "\(lines.all)")
    }
}
