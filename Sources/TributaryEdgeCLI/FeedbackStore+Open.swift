import Foundation
import TributaryEdge
import TributaryFeedback

extension FeedbackStore {
    /// The store a configuration names.
    package static func open(for configuration: EdgeConfiguration) throws -> FeedbackStore {
        let directory = (configuration.feedbackStorePath as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        } catch {
            throw EdgeError(.state, "feedback store directory \(directory): cannot create it (\((error as NSError).localizedDescription))")
        }
        return try FeedbackStore(path: configuration.feedbackStorePath, configuration: .init(
            featureCount: configuration.feedback.featureCount, classCount: configuration.feedback.classCount,
            maxExamples: configuration.feedback.maxExamples, maxAge: configuration.feedback.maxAge,
            maxPredictions: configuration.feedback.maxPredictions, confirmWeight: configuration.feedback.confirmWeight,
            review: configuration.feedback.review, heldOut: try HeldOutSplit(fraction: configuration.feedback.heldOutFraction)))
    }
}
