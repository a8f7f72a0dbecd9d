import Foundation

/// Reads a configuration file (YAML) key by key, so that every problem names the key and the value.
///
/// ```swift
/// let reader = try ConfigReader(contentsOf: "coordinator.yaml", overrides: ["rounds.target_updates=12"])
/// let rounds = reader.section("rounds")
/// let target = try rounds.int("target_updates", default: 10, in: 1...100_000)
/// try reader.finish()   // an unknown or misspelt key is an error, with a suggestion
/// ```
/// Values given with `overrides` (`KEY=VALUE`, from the command line's `--set`) replace the file's.
public final class ConfigReader {
    struct Entry {
        var value: ConfigValue
        var line: Int?
        var source: String
    }

    enum ConfigValue {
        case scalar(String)
        case list([String])
    }

    public let source: String
    let prefix: String
    private let root: ConfigReader?
    private var entries: [String: Entry] = [:]
    private var asked: Set<String> = []

    /// Parses `yaml`; `source` names it in errors (a path, or "inline").
    public init(yaml: String, source: String, overrides: [String] = []) throws {
        self.source = source
        self.prefix = ""
        self.root = nil
        try flatten(ConfigNode.parse(yaml: yaml, source: source), path: "")
        for override in overrides { try apply(override: override) }
    }

    /// Reads and parses the file at `path`.
    public convenience init(contentsOf path: String, overrides: [String] = []) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(source: path, key: "", problem: "cannot read the configuration file (\((error as NSError).localizedDescription))")
        }
        try self.init(yaml: text, source: path, overrides: overrides)
    }

    private init(root: ConfigReader, prefix: String) {
        self.source = root.source
        self.prefix = prefix
        self.root = root
    }

    /// The keys under `name.` (a missing section reads as empty: every key takes its default).
    public func section(_ name: String) -> ConfigReader {
        ConfigReader(root: root ?? self, prefix: fullKey(name) + ".")
    }

    // MARK: Typed reads

    /// The key's text, or nil when absent.
    public func string(_ key: String) throws -> String? {
        guard let entry = lookup(key) else { return nil }
        guard case .scalar(let text) = entry.value else { throw error(key, entry, nil, "must be a single value, not a list") }
        return text
    }

    public func string(_ key: String, default value: String) throws -> String {
        try string(key) ?? value
    }

    /// A string that must be one of `choices`.
    public func choice(_ key: String, from choices: [String], default value: String) throws -> String {
        let text = try string(key, default: value)
        guard choices.contains(text) else {
            throw error(key, lookup(key), text, "must be one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    public func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = try string(key) else { return value }
        guard let number = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error(key, lookup(key), text, "must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        guard range.contains(number) else {
            throw error(key, lookup(key), text, "must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    public func double(_ key: String, default value: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = try string(key) else { return value }
        guard let number = Double(text), number.isFinite else {
            throw error(key, lookup(key), text, "must be a finite number in \(range.lowerBound)...\(range.upperBound)")
        }
        guard range.contains(number) else {
            throw error(key, lookup(key), text, "must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    public func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let text = try string(key) else { return value }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(key, lookup(key), text, "must be true or false")
        }
    }

    /// A duration written as seconds (`30`, `1.5`) or with a unit (`250ms`, `30s`, `5m`, `1h`).
    public func duration(_ key: String, default value: Duration, in range: ClosedRange<Duration>) throws -> Duration {
        guard let text = try string(key) else { return value }
        guard let duration = Self.parseDuration(text) else {
            throw error(key, lookup(key), text, "must be a duration such as 30s, 250ms, 5m or 1h (a bare number is seconds)")
        }
        guard range.contains(duration) else {
            throw error(key, lookup(key), text, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return duration
    }

    /// A list of strings (`[a, b]` or one `- item` per line); a single value reads as a one-item list.
    public func strings(_ key: String) throws -> [String]? {
        guard let entry = lookup(key) else { return nil }
        switch entry.value {
        case .list(let items): return items
        case .scalar(let text): return text.isEmpty ? [] : [text]
        }
    }

    /// An error for a value the typed reads accepted but the caller's own check refused (an address
    /// that does not parse, a path that does not exist), naming the file, line, key and value.
    public func invalid(_ key: String, _ problem: String) -> ConfigError {
        let entry = lookup(key)
        var value: String?
        if case .scalar(let text)? = entry?.value { value = text }
        return error(key, entry, value, problem)
    }

    /// Fails on the first key that nothing asked for (a typo, or a key of another version),
    /// suggesting the closest known key. Call once, on the root, after reading everything.
    public func finish() throws {
        let root = root ?? self
        let known = root.asked
        for key in root.entries.keys.sorted() where !known.contains(key) {
            let entry = root.entries[key]!
            let suggestion = Self.closest(to: key, among: known).map { "; did you mean \($0)?" } ?? ""
            throw ConfigError(source: entry.source, key: key, line: entry.line, problem: "unknown key\(suggestion)")
        }
    }

    // MARK: Internals

    private func fullKey(_ key: String) -> String { prefix + key }

    private func lookup(_ key: String) -> Entry? {
        let root = root ?? self
        let full = fullKey(key)
        root.asked.insert(full)
        return root.entries[full]
    }

    private func error(_ key: String, _ entry: Entry?, _ value: String?, _ problem: String) -> ConfigError {
        ConfigError(source: entry?.source ?? source, key: fullKey(key), value: value, line: entry?.line, problem: problem)
    }

    private func flatten(_ node: ConfigNode, path: String) throws {
        switch node {
        case .scalar(let text, let line):
            entries[path] = Entry(value: .scalar(text), line: line, source: source)
        case .sequence(let items, let line):
            var texts: [String] = []
            for item in items {
                guard case .scalar(let text, _) = item else {
                    throw ConfigError(source: source, key: path, line: item.line, problem: "list items must be single values, found \(item.kind)")
                }
                texts.append(text)
            }
            entries[path] = Entry(value: .list(texts), line: line, source: source)
        case .mapping(let pairs, _):
            for pair in pairs {
                let key = path.isEmpty ? pair.key : "\(path).\(pair.key)"
                // `key:` with nothing after it (or `~`, `null`) means "use the default".
                if case .scalar(let text, _) = pair.value, ["", "~", "null"].contains(text) { continue }
                try flatten(pair.value, path: key)
            }
        }
    }

    private func apply(override: String) throws {
        guard let equals = override.firstIndex(of: "="), equals != override.startIndex else {
            throw ConfigError(source: "--set", key: "", value: override, problem: "must be KEY=VALUE, e.g. rounds.target_updates=12")
        }
        let key = String(override[..<equals]).trimmingCharacters(in: .whitespaces)
        let value = String(override[override.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        entries[key] = Entry(value: .scalar(value), line: nil, source: "--set")
    }

    static func parseDuration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count)), number.isFinite, number >= 0 else { return nil }
            return .milliseconds(Int64((number * scale * 1000).rounded()))
        }
        guard let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The known key with the smallest edit distance, if it is close enough to be a typo.
    static func closest(to key: String, among known: Set<String>) -> String? {
        let scored = known.map { ($0, editDistance(Array(key), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
        return best.1 <= max(2, key.count / 4) ? best.0 : nil
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
