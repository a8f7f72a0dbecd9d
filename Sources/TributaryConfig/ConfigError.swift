/// A configuration problem, naming the file, the key (dotted path) and the value it had.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or "--set") the value came from.
    public var source: String
    /// Dotted key path, e.g. `rounds.target_updates`; empty for the whole document.
    public var key: String
    /// The offending value as written, if there was one.
    public var value: String?
    /// 1-based line in the file, when known.
    public var line: Int?
    /// What is wrong and what is allowed.
    public var problem: String

    public init(source: String, key: String, value: String? = nil, line: Int? = nil, problem: String) {
        self.source = source
        self.key = key
        self.value = value
        self.line = line
        self.problem = problem
    }

    public var description: String {
        var place = source
        if let line { place += ":\(line)" }
        let subject = key.isEmpty ? "" : " \(key)"
        let shown = value.map { " is \"\($0)\";" } ?? ":"
        return "\(place):\(subject)\(shown) \(problem)"
    }
}
