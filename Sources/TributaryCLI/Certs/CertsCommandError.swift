/// A one-line CLI error naming the flag or file and the value that was wrong.
struct CertsCommandError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
