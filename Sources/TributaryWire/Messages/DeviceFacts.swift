/// Facts the coordinator uses to select clients for a round (`Hello.device`).
public struct DeviceFacts: Sendable, Hashable {
    /// Labelled examples waiting in the client's feedback store.
    public var examplesAvailable: UInt64
    public var charging: Bool
    public var meteredNetwork: Bool
    /// Registry version of the global model the client holds; 0 = none yet.
    public var modelVersion: UInt64

    public init(examplesAvailable: UInt64, charging: Bool, meteredNetwork: Bool, modelVersion: UInt64) {
        self.examplesAvailable = examplesAvailable
        self.charging = charging
        self.meteredNetwork = meteredNetwork
        self.modelVersion = modelVersion
    }
}

extension DeviceFacts {
    init(proto: Tributary_V1_DeviceFacts) {
        self.init(examplesAvailable: proto.examplesAvailable, charging: proto.charging,
                  meteredNetwork: proto.meteredNetwork, modelVersion: proto.modelVersion)
    }

    func toProto() -> Tributary_V1_DeviceFacts {
        var proto = Tributary_V1_DeviceFacts()
        proto.examplesAvailable = examplesAvailable
        proto.charging = charging
        proto.meteredNetwork = meteredNetwork
        proto.modelVersion = modelVersion
        return proto
    }
}
