import Foundation
import TributaryFeedback
import TributaryTransport

extension EdgeConfiguration {
    /// Checks every value once; the error names the key and the value.
    public func validated() throws -> EdgeConfiguration {
        func invalid(_ key: String, _ value: Any, _ rule: String) -> EdgeError {
            EdgeError(.invalidConfiguration, "\(key) is \(value); \(rule)")
        }
        guard feedback.featureCount > 0 else { throw invalid("feedback.features", feedback.featureCount, "must be > 0") }
        guard feedback.classCount > 0 else { throw invalid("feedback.classes", feedback.classCount, "must be > 0") }
        if let max = feedback.maxExamples, max <= 0 { throw invalid("feedback.max_examples", max, "must be > 0") }
        guard feedback.importMaxBytes > 0 else { throw invalid("feedback.import_max_bytes", feedback.importMaxBytes, "must be > 0") }
        guard feedback.maxPredictions > 0 else { throw invalid("feedback.max_predictions", feedback.maxPredictions, "must be > 0") }
        guard feedback.confirmWeight >= 0, feedback.confirmWeight.isFinite else {
            throw invalid("feedback.confirm_weight", feedback.confirmWeight, "must be a finite number >= 0")
        }
        guard (0...HeldOutSplit.maximumFraction).contains(feedback.heldOutFraction) else {
            throw invalid("feedback.held_out_fraction", feedback.heldOutFraction, "must be in 0...\(HeldOutSplit.maximumFraction)")
        }
        guard (0...1).contains(feedback.review.threshold) else { throw invalid("review.threshold", feedback.review.threshold, "must be in 0...1") }
        guard (0...1).contains(feedback.review.sampleRate) else { throw invalid("review.sample_rate", feedback.review.sampleRate, "must be in 0...1") }
        guard feedback.review.maxQueue > 0 else { throw invalid("review.max_queue", feedback.review.maxQueue, "must be > 0") }
        try Self.checkDirectory("state.directory", stateDirectory, value: stateDirectory)
        if Self.kind(of: feedbackStorePath) == .directory {
            throw EdgeError(.invalidConfiguration, "\(feedback.storePath == nil ? "the feedback store" : "feedback.store") \(feedbackStorePath) is a directory, not a file")
        }
        try Self.checkDirectory(feedback.storePath == nil ? "state.directory" : "feedback.store",
                                (feedbackStorePath as NSString).deletingLastPathComponent, value: feedback.storePath ?? stateDirectory)
        let files = [("tls.ca", tls.ca), ("tls.cert", tls.certificate), ("tls.key", tls.key)] + feedback.imports.map { ("feedback.import", $0) }
        for (key, file) in files where Self.kind(of: file) == .directory {
            throw EdgeError(.invalidConfiguration, "\(key) \(file) is a directory, not a file")
        }
        guard context.windowExamples > 0 else { throw invalid("context.window_examples", context.windowExamples, "must be > 0") }
        guard context.replay.capacity >= 0 else { throw invalid("context.replay_capacity", context.replay.capacity, "must be >= 0") }
        if !Self.isLoopback(ingestion.listen.host) {
            throw invalid("ingestion.listen", ingestion.listen,
                          "the feedback endpoint has no authentication and listens on loopback only (127.0.0.1, ::1 or localhost)")
        }
        guard triggers.checkInterval >= .milliseconds(10) else { throw invalid("triggers.check_interval", triggers.checkInterval, "must be >= 10ms") }
        guard idleTimeout >= heartbeatInterval * 2 else {
            throw invalid("session.idle_timeout", idleTimeout, "must be at least 2 × session.heartbeat (\(heartbeatInterval * 2))")
        }
        try reconnect.validate()
        return self
    }

    private enum Kind { case missing, file, directory }

    private static func kind(of path: String) -> Kind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        return isDirectory.boolValue ? .directory : .file
    }

    /// A directory that is there or can be created: neither it nor an ancestor is a file. The
    /// error names the key and its value.
    private static func checkDirectory(_ key: String, _ path: String, value: String) throws {
        var ancestor = path
        while !ancestor.isEmpty, ancestor != "/" {
            switch kind(of: ancestor) {
            case .directory: return
            case .file:
                throw EdgeError(.invalidConfiguration, ancestor == value ? "\(key) \(value) is a file, not a directory"
                                    : "\(key) \(value): \(ancestor) is a file, not a directory")
            case .missing: ancestor = (ancestor as NSString).deletingLastPathComponent
            }
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
