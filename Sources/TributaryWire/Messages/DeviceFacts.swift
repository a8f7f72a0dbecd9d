/// Facts the coordinator uses to select clients for a round (`Hello.device`).
public struct DeviceFacts: Sendable, Hashable {
    /// Labelled examples waiting in the client's feedback store.
    public var examplesAvailable: UInt64
    public var charging: Bool
    public var meteredNetwork: Bool
    /// Registry version of the global model the client holds; 0 = none yet.
    public var modelVersion: UInt64
    /// The held model's live accuracy on the device: feedback outcomes on its own served
    /// predictions (0: none yet) and how many were right (at most `liveOutcomes`).
    public var liveOutcomes: UInt64
    public var liveCorrect: UInt64

    public init(examplesAvailable: UInt64, charging: Bool, meteredNetwork: Bool, modelVersion: UInt64,
                liveOutcomes: UInt64 = 0, liveCorrect: UInt64 = 0) {
        self.examplesAvailable = examplesAvailable
        self.charging = charging
        self.meteredNetwork = meteredNetwork
        self.modelVersion = modelVersion
        self.liveOutcomes = liveOutcomes
        self.liveCorrect = liveCorrect
    }

    /// Refuses more right outcomes than outcomes; `field` names the message (`Hello.device`).
    func validate(field: String) throws {
        try require(liveCorrect <= liveOutcomes, .invalidValue,
                    "\(field).live_correct is \(liveCorrect), more than live_outcomes \(liveOutcomes)")
    }
}

extension DeviceFacts {
    init(proto: Tributary_V1_DeviceFacts) {
        self.init(examplesAvailable: proto.examplesAvailable, charging: proto.charging,
                  meteredNetwork: proto.meteredNetwork, modelVersion: proto.modelVersion,
                  liveOutcomes: proto.liveOutcomes, liveCorrect: proto.liveCorrect)
    }

    func toProto() -> Tributary_V1_DeviceFacts {
        var proto = Tributary_V1_DeviceFacts()
        proto.examplesAvailable = examplesAvailable
        proto.charging = charging
        proto.meteredNetwork = meteredNetwork
        proto.modelVersion = modelVersion
        proto.liveOutcomes = liveOutcomes
        proto.liveCorrect = liveCorrect
        return proto
    }
}
