import ArgumentParser
import Foundation
import TributaryEdge
import TributaryEdgeCLI
import TributaryFeedback

/// `tributary-edge import --config edge.yaml FILE.csv…`: labelled CSV rows into the feedback store.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import labelled CSV files into the feedback store (each file all or nothing; errors name row, column and value).")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Refuse a file larger than this many bytes before reading it (default: feedback.import_max_bytes, 64 MiB).") var maxBytes: Int?
    @Argument(help: "CSV files: numeric feature columns, the integer label last; a header row is detected.") var files: [String]

    func validate() throws {
        if let maxBytes, maxBytes < 1 { throw ValidationError("--max-bytes is \(maxBytes); must be >= 1") }
    }

    func run() async throws {
        do {
            guard let reader = try options.reader() else { throw ValidationError("import needs --config (the store's path and shape)") }
            let configuration = try EdgeConfiguration(reader: reader)
            try reader.finish()
            let store = try FeedbackStore.open(for: configuration.validated())
            for file in files {
                let stored = try store.importCSV(path: file, maxBytes: maxBytes ?? configuration.feedback.importMaxBytes)
                say("\(file): \(stored) example(s) stored")
            }
            let counts = try store.counts()
            say("feedback store: \(counts.stored) stored, \(counts.trainable) trainable, \(counts.newSinceTraining) new since the last round")
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(error)
        }
    }
}
