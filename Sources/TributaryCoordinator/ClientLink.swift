import TributaryWire

/// One connected client as the instance sees it: which session, and what it holds.
struct ClientLink: Sendable, Equatable {
    /// Tells this connection apart from a later one of the same client.
    let token: UInt64
    /// The global version the client holds exactly (a release's delta applies to it); nil: none.
    var holds: UInt64?
    /// The live accuracy it last reported (Hello or Ready) for the version it reported holding.
    var live = LiveReport()
    /// The trigger of its last Ready that asked to train ("volume", "drift", "accuracy_drop", …).
    var trigger: String?
    /// It announced the `evaluate` feature: it answers EvaluateRequests.
    var canEvaluate = false
    /// It announced the `secagg` feature: it takes part in secure rounds.
    var canSecureAggregate = false
    /// It announced the `compression` feature: its plan carries the configured encoding.
    var canCompress = false
    /// It announced `compression-topk` too: it is told a top-k delta when one is configured.
    var canTopK = false
    /// It announced the `privacy` feature: it applies a round's privacy plan (clipping, noise).
    var appliesPrivacy = false

    struct LiveReport: Sendable, Equatable {
        var version: UInt64 = 0
        var outcomes: UInt64 = 0
        var correct: UInt64 = 0

        init() {}

        init(_ device: DeviceFacts) {
            version = device.modelVersion
            outcomes = device.liveOutcomes
            correct = device.liveCorrect
        }
    }
}
