#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Who holds a registry's exclusive lock, as recorded in `coordinator.lock`: one `key=value` line
/// each for the pid, host, command line and start time.
struct RegistryLockHolder: Sendable, Equatable, CustomStringConvertible {
    var pid: Int32
    var host: String
    var command: String
    var since: Date

    /// This process, now: its command line with the executable's directory left out.
    static func current(now: Date = Date()) -> RegistryLockHolder {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self) : "unknown"
        var arguments = CommandLine.arguments
        if let first = arguments.first { arguments[0] = String(first.split(separator: "/").last ?? Substring(first)) }
        let command = String(arguments.joined(separator: " ").map { $0.isNewline ? " " : $0 }.prefix(300))
        return RegistryLockHolder(pid: getpid(), host: host, command: command, since: now)
    }

    /// "tributary coordinator serve --config c.yaml (pid 1234 on host h, since 2026-12-03T18:40:00Z)"
    var description: String {
        "\(command) (pid \(pid) on host \(host), since \(since.formatted(.iso8601)))"
    }

    var record: String {
        "pid=\(pid)\nhost=\(host)\ncommand=\(command)\nsince=\(since.formatted(.iso8601))\n"
    }
}

extension RegistryLockHolder {
    /// Parses `record`; nil when a field is missing or malformed (a holder caught mid-write).
    init?(record: String) {
        var fields: [String: String] = [:]
        for line in record.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let pid = fields["pid"].flatMap({ Int32($0) }), let host = fields["host"], let command = fields["command"],
              let since = fields["since"].flatMap({ try? Date($0, strategy: .iso8601) })
        else { return nil }
        self.init(pid: pid, host: host, command: command, since: since)
    }
}
