/// Client → coordinator on an open session: the client's facts changed, usually because a local
/// trigger fired (new-example volume, an accuracy drop, drift). Selection uses the latest facts.
public struct Ready: Sendable, Hashable {
    public var device: DeviceFacts
    /// Why the client reports ("volume", "accuracy_drop", "drift", "startup"…); at most 64 bytes.
    public var trigger: String
    /// True when the client wants to train; false withdraws an earlier Ready.
    public var ready: Bool

    public init(device: DeviceFacts, trigger: String, ready: Bool = true) {
        self.device = device
        self.trigger = trigger
        self.ready = ready
    }

    func validate() throws {
        try require(trigger.utf8.count <= 64, .invalidValue,
                    "Ready.trigger is \(trigger.utf8.count) bytes (\(String(decoding: trigger.utf8.prefix(32), as: UTF8.self))…); at most 64 allowed")
        try device.validate(field: "Ready.device")
    }
}

extension Ready {
    init(proto: Tributary_V1_Ready) throws {
        self.init(device: DeviceFacts(proto: proto.device), trigger: proto.trigger, ready: proto.ready)
        try validate()
    }

    func toProto() -> Tributary_V1_Ready {
        var proto = Tributary_V1_Ready()
        proto.device = device.toProto()
        proto.trigger = trigger
        proto.ready = ready
        return proto
    }
}
