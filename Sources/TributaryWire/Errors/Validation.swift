// Small checks shared by the mappings; each throws a WireError naming the field and value.

@inline(__always)
func require(_ condition: Bool, _ code: WireError.Code, _ reason: @autoclosure () -> String,
             file: String = #fileID, line: Int = #line) throws {
    if !condition { throw WireError(code, reason(), file: file, line: line) }
}

func requireNonZero<T: BinaryInteger>(_ value: T, _ field: String, file: String = #fileID, line: Int = #line) throws {
    try require(value != 0, .missingField, "\(field) is 0; it is required and must be > 0", file: file, line: line)
}

func requireName(_ value: String, _ field: String, maxBytes: Int) throws {
    try require(!value.isEmpty, .missingField, "\(field) is empty; it is required")
    try require(value.utf8.count <= maxBytes, .invalidValue,
                "\(field) is \(value.utf8.count) bytes (\(value.utf8.prefix(32).count < value.utf8.count ? String(decoding: value.utf8.prefix(32), as: UTF8.self) + "…" : value)); at most \(maxBytes) allowed")
}

func requireFinite(_ value: Double, _ field: String, atLeast minimum: Double, exclusive: Bool = false) throws {
    let ok = value.isFinite && (exclusive ? value > minimum : value >= minimum)
    let bound = minimum == minimum.rounded() ? String(Int(minimum)) : String(minimum)
    try require(ok, .invalidValue, "\(field) is \(value); must be finite and \(exclusive ? ">" : ">=") \(bound)")
}
