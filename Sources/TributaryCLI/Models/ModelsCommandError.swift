/// A one-line CLI error naming the flag or version and the value that was wrong.
struct ModelsCommandError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
