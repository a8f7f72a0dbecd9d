extension ConfigReader {
    /// The key's text; a missing or empty key is an error naming it.
    public func requiredString(_ key: String) throws -> String {
        guard let value = try string(key), !value.isEmpty else {
            throw ConfigError(source: source, key: prefix + key, problem: "is required and not set")
        }
        return value
    }

    /// A whole number that must be given.
    public func requiredInt(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        _ = try requiredString(key)
        return try int(key, default: range.lowerBound, in: range)
    }
}
