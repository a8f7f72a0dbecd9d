/// What the coordinator knows of one connected client.
public struct ClientRecord: Sendable, Equatable {
    public var id: String
    public var ready: Bool
    public var examplesAvailable: Int
    public var charging: Bool
    public var metered: Bool
    /// The global model version the client holds (nil: none yet).
    public var modelVersion: UInt64?
    public var connectedAt: ContinuousClock.Instant
    public var lastSeen: ContinuousClock.Instant

    public init(
        id: String, ready: Bool = false, examplesAvailable: Int = 0, charging: Bool = true, metered: Bool = false,
        modelVersion: UInt64? = nil, now: ContinuousClock.Instant
    ) {
        self.id = id
        self.ready = ready
        self.examplesAvailable = examplesAvailable
        self.charging = charging
        self.metered = metered
        self.modelVersion = modelVersion
        self.connectedAt = now
        self.lastSeen = now
    }
}

/// The connected clients, by id.
public struct Population: Sendable, Equatable {
    public private(set) var clients: [String: ClientRecord] = [:]

    public init() {}

    public var count: Int { clients.count }

    public mutating func upsert(_ record: ClientRecord) {
        var record = record
        if let existing = clients[record.id] { record.connectedAt = existing.connectedAt }
        clients[record.id] = record
    }

    public mutating func remove(_ id: String) {
        clients[id] = nil
    }

    public mutating func touch(_ id: String, now: ContinuousClock.Instant) {
        clients[id]?.lastSeen = now
    }

    /// Clients a round may select under `configuration`, sorted by id.
    public func eligible(under configuration: RoundConfiguration) -> [String] {
        clients.values.filter { client in
            client.ready && client.examplesAvailable >= configuration.minimumExamples
                && !(configuration.skipMetered && client.metered) && !(configuration.requireCharging && !client.charging)
        }.map(\.id).sorted()
    }
}
