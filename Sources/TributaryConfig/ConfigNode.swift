import Yams

/// A parsed configuration tree, independent of the YAML library.
indirect enum ConfigNode: Sendable {
    case scalar(String, line: Int?)
    case mapping([(key: String, value: ConfigNode, line: Int?)], line: Int?)
    case sequence([ConfigNode], line: Int?)

    var line: Int? {
        switch self {
        case .scalar(_, let line), .mapping(_, let line), .sequence(_, let line): line
        }
    }

    var kind: String {
        switch self {
        case .scalar: "a value"
        case .mapping: "a section (key: value lines)"
        case .sequence: "a list"
        }
    }

    /// Parses YAML text; errors name the source and the line.
    static func parse(yaml: String, source: String) throws -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError(source: source, key: "", line: yamlLine(error), problem: "not valid YAML: \(yamlProblem(error))")
        }
        guard let root else { return .mapping([], line: 1) }
        let node = try convert(root, source: source, path: "")
        guard case .mapping = node else {
            throw ConfigError(source: source, key: "", line: node.line, problem: "the top level must be a section of key: value lines, found \(node.kind)")
        }
        return node
    }

    private static func convert(_ node: Node, source: String, path: String) throws -> ConfigNode {
        let line = node.mark.map { $0.line }
        switch node {
        case .scalar(let scalar):
            return .scalar(scalar.string, line: line)
        case .sequence(let sequence):
            return .sequence(try sequence.enumerated().map { try convert($1, source: source, path: "\(path)[\($0)]") }, line: line)
        case .mapping(let mapping):
            var entries: [(key: String, value: ConfigNode, line: Int?)] = []
            for (key, value) in mapping {
                guard case .scalar(let name) = key else {
                    throw ConfigError(source: source, key: path, line: key.mark?.line, problem: "a key must be a plain word")
                }
                let full = path.isEmpty ? name.string : "\(path).\(name.string)"
                if entries.contains(where: { $0.key == name.string }) {
                    throw ConfigError(source: source, key: full, line: key.mark?.line, problem: "the key appears twice")
                }
                entries.append((name.string, try convert(value, source: source, path: full), key.mark?.line))
            }
            return .mapping(entries, line: line)
        case .alias:
            throw ConfigError(source: source, key: path, line: line, problem: "YAML aliases are not supported in configuration")
        }
    }
}

/// The line a YAML error points at (1-based), when it names one.
private func yamlLine(_ error: any Error) -> Int? {
    switch error as? YamlError {
    case .scanner(_, _, let mark, _)?, .parser(_, _, let mark, _)?, .composer(_, _, let mark, _)?: mark.line
    default: nil
    }
}

/// The YAML error's first line, without the echoed document.
private func yamlProblem(_ error: any Error) -> String {
    switch error as? YamlError {
    case .scanner(_, let problem, _, _)?, .parser(_, let problem, _, _)?, .composer(_, let problem, _, _)?: problem
    case .duplicatedKeysInMapping(let duplicates, _)?:
        "the key appears twice (\(duplicates.sorted().joined(separator: ", ")))"
    default: String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
