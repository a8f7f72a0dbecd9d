import ArgumentParser
import Foundation
import TributaryEdge
import TributaryFeedback

/// `tributary-edge import --config edge.yaml FILE.csv…`: labelled CSV rows into the feedback store.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import labelled CSV files into the feedback store (each file all or nothing; errors name row, column and value).")

    @OptionGroup var options: ConfigOptions
    @Argument(help: "CSV files: numeric feature columns, the integer label last; a header row is detected.") var files: [String]

    func run() async throws {
        do {
            guard let reader = try options.reader() else { throw ValidationError("import needs --config (the store's path and shape)") }
            let configuration = try EdgeConfiguration(reader: reader)
            try reader.finish()
            let store = try FeedbackStore.open(for: configuration.validated())
            for file in files {
                let stored = try store.importCSV(path: file)
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

extension FeedbackStore {
    /// The store a configuration names.
    static func open(for configuration: EdgeConfiguration) throws -> FeedbackStore {
        let directory = (configuration.feedbackStorePath as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        return try FeedbackStore(path: configuration.feedbackStorePath, configuration: .init(
            featureCount: configuration.feedback.featureCount, classCount: configuration.feedback.classCount,
            maxExamples: configuration.feedback.maxExamples, maxAge: configuration.feedback.maxAge))
    }
}
