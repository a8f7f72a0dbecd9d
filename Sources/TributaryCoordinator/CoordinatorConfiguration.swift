import TributaryAggregation
import TributaryCoordinatorTransport
import TributaryLearning
import TributaryLogging
import TributaryRounds
import TributaryTransport
import TributaryWire

/// Everything the coordinator needs to run, with secure defaults: it listens on 127.0.0.1 only,
/// mutual TLS is always on (the certificate, key and fleet CA have no default), and the admin
/// endpoint binds to loopback. Built in code or read from YAML (`load(from:)`); validated once.
public struct CoordinatorConfiguration: Sendable {
    /// Where edge agents connect (mutual TLS 1.3). Port 0 picks a free port (reported in events).
    public var listen: Endpoint
    public var tls: TLS
    /// The registry directory (registry.sqlite + blobs/), created if needed.
    public var registryDirectory: String
    /// How often the registry's live row is read (`registry.live_check`): an operator's
    /// `models rollback`, `reject` or `promote` beside the running coordinator is released to
    /// the connected clients within this interval.
    public var liveCheck: Duration = .seconds(2)
    /// The checkpoint registered and promoted as version 1 when the registry has no live version.
    public var initialCheckpoint: String?
    public var rounds: RoundConfiguration
    /// A client counts as ready from its Hello (until a Ready says otherwise); edge agents that
    /// never send Ready need this.
    public var readyOnHello: Bool
    /// Stop (gracefully) after this many rounds ended in this process; nil runs until stopped.
    public var maxRounds: Int?
    public var plan: PlanOverrides
    public var aggregation: Aggregation
    public var evaluation: EvaluationSettings
    /// How a version the gate passed reaches the fleet (`release.policy`): at once (the
    /// default), or through a canary or A/B cohort first.
    public var release: ReleasePolicy = .immediate
    /// `secure_aggregation`: rounds aggregated under masks (nil: off, the default).
    public var secureAggregation: SecureAggregationSettings?
    /// The admin HTTP endpoint (`POST /v1/rounds`, `GET /v1/status`); nil disables it. It can
    /// start rounds, so a host other than loopback requires ``adminTokenFile``.
    public var admin: Endpoint?
    /// A file (mode 0600) holding the bearer token every admin request must carry
    /// (`Authorization: Bearer …`); nil: no authentication, loopback only.
    public var adminTokenFile: String?
    /// `logging.format`: text (default) or json, one object a line.
    public var logFormat: LogFormat = .text
    public var transfers: Transfers
    /// `compression.*`: the encoding of the Updates of clients that announce the `compression`
    /// feature (Float32 by default; others always send Float32).
    public var compression: UpdateEncoding = .fp32
    /// Client-level differential privacy of the rounds (`privacy:`); off by default.
    public var privacy: PrivacySettings = .off

    public struct TLS: Sendable {
        public var certificate: String
        public var key: String
        /// The fleet CA that signs client certificates.
        public var ca: String
        /// Revoked client ids / serials (`tributary certs revoke`); re-read on each connection, and
        /// every `revocationCheck` for the clients already connected. Read at start: a missing
        /// file (unless `denyListOptional`) or a bad line stops the start.
        public var denyList: String?
        /// A missing `denyList` file is allowed at start (nobody revoked until it appears).
        public var denyListOptional: Bool
        public var heartbeat: Duration
        public var idleTimeout: Duration
        /// A client revoked while connected is cut off within this interval.
        public var revocationCheck: Duration
        /// A connection that has not completed its TLS handshake this long after accept is closed.
        public var handshakeTimeout: Duration
        /// Connections held at once in all; nil: the file-descriptor limit minus 256.
        public var maxConnections: Int?
        /// Connections held at once from one source address.
        public var maxConnectionsPerAddress: Int

        public init(certificate: String, key: String, ca: String, denyList: String? = nil,
                    heartbeat: Duration = .seconds(10), idleTimeout: Duration = .seconds(30), revocationCheck: Duration = .seconds(5),
                    denyListOptional: Bool = false, handshakeTimeout: Duration = .seconds(10), maxConnections: Int? = nil,
                    maxConnectionsPerAddress: Int = 256) {
            self.denyListOptional = denyListOptional
            self.handshakeTimeout = handshakeTimeout
            self.maxConnections = maxConnections
            self.maxConnectionsPerAddress = maxConnectionsPerAddress
            self.revocationCheck = revocationCheck
            self.certificate = certificate
            self.key = key
            self.ca = ca
            self.denyList = denyList
            self.heartbeat = heartbeat
            self.idleTimeout = idleTimeout
        }
    }

    /// How model-sized messages (offers, releases) are sent.
    public struct Transfers: Sendable, Equatable {
        /// At most this many are being written at once (the memory for sending a model to N
        /// clients is this many encodings, not N).
        public var concurrentSends: Int
        /// A send still unfinished after this closes the client's connection (a client that
        /// stopped reading cannot hold a send slot forever).
        public var sendTimeout: Duration
        /// At most this many Updates (large inbound messages) are held at once, being received or
        /// folded; the other clients' sockets are not read until a permit frees (memory for 1,000
        /// clients answering at once is this many updates, not 1,000).
        public var concurrentReceives: Int

        /// Largest socket read, and largest piece written at once, per connection
        /// (``CoordinatorTransportConfiguration/readBytes``, ``CoordinatorTransportConfiguration/writeBytes``).
        public var readBytes: Int
        public var writeBytes: Int

        public init(concurrentSends: Int = 16, sendTimeout: Duration = .seconds(120), concurrentReceives: Int = 2,
                    readBytes: Int = 16 * 1024, writeBytes: Int = 32 * 1024) {
            self.concurrentSends = concurrentSends
            self.sendTimeout = sendTimeout
            self.concurrentReceives = concurrentReceives
            self.readBytes = readBytes
            self.writeBytes = writeBytes
        }
    }

    /// Values of the RoundOffer's plan that replace the live checkpoint's own plan (nil keeps it).
    public struct PlanOverrides: Sendable, Equatable {
        public var epochs: Int?
        public var batchSize: Int?
        public var learningRate: Double?
        public var ewcLambda: Double?
        public var fedProxMu: Double?
        /// Replay examples from the edge's own buffer mixed into each step (0: no replay).
        public var replaySize: Int?
        /// Seen-class masking in the edges' jobs (`plan.mask_unseen_classes`).
        public var maskUnseenClasses: Bool?

        public init(epochs: Int? = nil, batchSize: Int? = nil, learningRate: Double? = nil, ewcLambda: Double? = nil, fedProxMu: Double? = nil,
                    replaySize: Int? = nil, maskUnseenClasses: Bool? = nil) {
            self.maskUnseenClasses = maskUnseenClasses
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.ewcLambda = ewcLambda
            self.fedProxMu = fedProxMu
            self.replaySize = replaySize
        }
    }

    public struct Aggregation: Sendable, Equatable {
        public var rule: AggregationRule
        public var serverOptimizer: ServerOptimizer
        /// Updates with ‖Δ‖₂ above this bound are refused (INVALID); on by default, relative to
        /// the round's base model.
        public var deltaNormBound: DeltaNormBound
        /// Updates claiming more examples than this are refused (INVALID).
        public var maxUpdateExamples: Int
        /// When the global online-EWC state folds in the newest round's Fisher (on a data change by
        /// default), with its decay γ and normalisation.
        public var consolidation: ConsolidationPolicy
        /// The share of a round's selected clients whose last Ready fired on drift or an accuracy
        /// drop that counts as a change of the fleet's data (the round consolidates first).
        public var dataChangeFraction: Double
        /// What one Update may weigh whatever its sender claims: the example count its plan
        /// states, Δ and the Fisher clipped (on by default; `UpdateBounds.off` for none).
        public var bounds: UpdateBounds

        public init(rule: AggregationRule = .fisherWeighted(), serverOptimizer: ServerOptimizer = .fedAvg(learningRate: 1),
                    deltaNormBound: DeltaNormBound = .default, maxUpdateExamples: Int = 1_000_000,
                    consolidation: ConsolidationPolicy = ConsolidationPolicy(), dataChangeFraction: Double = 0.3,
                    bounds: UpdateBounds = .default) {
            self.bounds = bounds
            self.rule = rule
            self.serverOptimizer = serverOptimizer
            self.deltaNormBound = deltaNormBound
            self.maxUpdateExamples = maxUpdateExamples
            self.consolidation = consolidation
            self.dataChangeFraction = dataChangeFraction
        }
    }

    public struct EvaluationSettings: Sendable, Equatable {
        /// Coordinator-side held-out sets (CSV, label in the last column).
        public var heldOut: [HeldOutSet]
        /// The held-out set that stands for the newest data (judged by `gate.maxNewDataDrop`).
        public var newest: String?
        public var gate: PromotionGate
        /// Judge the clients' reported accuracy (Update metrics) too.
        public var useClientMetrics: Bool
        /// Edges evaluate a version the gate passed on their own held-out sets before it is
        /// released (`evaluation.federated`); nil: off.
        public var federated: FederatedEvaluationSettings? = nil

        public init(heldOut: [HeldOutSet] = [], newest: String? = nil, gate: PromotionGate = PromotionGate(), useClientMetrics: Bool = true) {
            self.heldOut = heldOut
            self.newest = newest
            self.gate = gate
            self.useClientMetrics = useClientMetrics
        }
    }

    public struct HeldOutSet: Sendable, Equatable {
        public var name: String
        public var path: String

        public init(name: String, path: String) {
            self.name = name
            self.path = path
        }
    }

    public init(
        tls: TLS, registryDirectory: String, initialCheckpoint: String? = nil, listen: Endpoint = Endpoint(host: "127.0.0.1", port: 7443),
        rounds: RoundConfiguration, readyOnHello: Bool = true, maxRounds: Int? = nil, plan: PlanOverrides = PlanOverrides(),
        aggregation: Aggregation = Aggregation(), evaluation: EvaluationSettings = EvaluationSettings(),
        admin: Endpoint? = Endpoint(host: "127.0.0.1", port: 7480), transfers: Transfers = Transfers(),
        adminTokenFile: String? = nil, privacy: PrivacySettings = .off
    ) throws {
        self.privacy = privacy
        self.adminTokenFile = adminTokenFile
        self.transfers = transfers
        self.listen = listen
        self.tls = tls
        self.registryDirectory = registryDirectory
        self.initialCheckpoint = initialCheckpoint
        self.rounds = rounds
        self.readyOnHello = readyOnHello
        self.maxRounds = maxRounds
        self.plan = plan
        self.aggregation = aggregation
        self.evaluation = evaluation
        self.admin = admin
        try validate()
    }

    /// Checks what the parts' own initialisers cannot: names and bounds across sections.
    public func validate() throws {
        try aggregation.serverOptimizer.validate()
        try privacy.validate(rule: aggregation.rule.needsFisher ? .fisherWeighted : .fedAvg)
        guard aggregation.consolidation.gamma >= 0, aggregation.consolidation.gamma <= 1 else {
            throw CoordinatorError(.invalidConfiguration, "aggregation.ewc_gamma is \(aggregation.consolidation.gamma); must be in 0...1")
        }
        if case .everyRounds(let rounds) = aggregation.consolidation.trigger, rounds < 1 {
            throw CoordinatorError(.invalidConfiguration, "aggregation.consolidate is every \(rounds) rounds; must be ≥ 1")
        }
        guard aggregation.dataChangeFraction > 0, aggregation.dataChangeFraction <= 1 else {
            throw CoordinatorError(.invalidConfiguration, "aggregation.data_change_fraction is \(aggregation.dataChangeFraction); must be in (0, 1]")
        }
        do {
            try aggregation.deltaNormBound.validate()
        } catch let error as AggregationError {
            throw CoordinatorError(.invalidConfiguration, "aggregation.max_delta_norm: \(error.reason)")
        }
        do {
            try aggregation.bounds.validate()
        } catch let error as AggregationError {
            throw CoordinatorError(.invalidConfiguration, "aggregation.\(error.reason)")
        }
        guard aggregation.maxUpdateExamples >= 1 else {
            throw CoordinatorError(.invalidConfiguration, "aggregation.max_update_examples is \(aggregation.maxUpdateExamples); must be ≥ 1")
        }
        guard evaluation.gate.maxParameterGrowth >= 1, evaluation.gate.maxParameterGrowth.isFinite else {
            throw CoordinatorError(.invalidConfiguration, "evaluation.max_parameter_growth is \(evaluation.gate.maxParameterGrowth); must be ≥ 1")
        }
        let gate = evaluation.gate
        guard (0...1).contains(gate.chanceMargin ?? 0), (0...1).contains(gate.minimumAccuracy) else {
            throw CoordinatorError(.invalidConfiguration, "evaluation.chance_margin is \(gate.chanceMargin.map { "\($0)" } ?? "off") and evaluation.minimum_accuracy \(gate.minimumAccuracy); both must be in 0...1")
        }
        guard gate.maxErrorRise >= 0, gate.maxErrorRise.isFinite, gate.maximumError.map({ $0 > 0 && $0.isFinite }) ?? true else {
            throw CoordinatorError(.invalidConfiguration, "evaluation.max_error_rise is \(gate.maxErrorRise) and evaluation.maximum_error \(gate.maximumError.map { "\($0)" } ?? "off"); the rise must be ≥ 0 and the maximum > 0, finite")
        }
        guard transfers.concurrentSends >= 1 else {
            throw CoordinatorError(.invalidConfiguration, "transfers.concurrent_sends is \(transfers.concurrentSends); must be ≥ 1")
        }
        guard transfers.concurrentReceives >= 1 else {
            throw CoordinatorError(.invalidConfiguration, "transfers.concurrent_receives is \(transfers.concurrentReceives); must be ≥ 1")
        }
        guard transfers.sendTimeout > .zero else {
            throw CoordinatorError(.invalidConfiguration, "transfers.send_timeout is \(transfers.sendTimeout); must be positive")
        }
        if let admin, adminTokenFile == nil, !Self.isLoopback(admin.host) {
            throw CoordinatorError(.invalidConfiguration, "admin.listen is \(admin); the admin endpoint can start rounds and has no authentication unless admin.token_file is set, so without a token it listens on loopback only (127.0.0.0/8, ::1 or localhost)")
        }
        if tls.maxConnectionsPerAddress < 1 {
            throw CoordinatorError(.invalidConfiguration, "tls.max_connections_per_address is \(tls.maxConnectionsPerAddress); must be ≥ 1")
        }
        if let maxConnections = tls.maxConnections, !(1...FileDescriptorLimit.connectionBudget).contains(maxConnections) {
            throw CoordinatorError(.invalidConfiguration, "tls.max_connections is \(maxConnections); must be in 1...\(FileDescriptorLimit.connectionBudget): the file-descriptor limit (RLIMIT_NOFILE, `ulimit -n`) is \(FileDescriptorLimit.current) and \(FileDescriptorLimit.reserved) are kept for files")
        }
        guard liveCheck >= .milliseconds(100), liveCheck <= .seconds(3600) else {
            throw CoordinatorError(.invalidConfiguration, "registry.live_check is \(liveCheck); must be in 100ms...3600s")
        }
        if let maxRounds, maxRounds < 1 {
            throw CoordinatorError(.invalidConfiguration, "rounds.max_rounds is \(maxRounds); must be ≥ 1 (or absent to run until stopped)")
        }
        let names = evaluation.heldOut.map(\.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw CoordinatorError(.invalidConfiguration, "evaluation.held_out names '\(duplicate)' twice; names must differ")
        }
        if let newest = evaluation.newest, !names.contains(newest) {
            throw CoordinatorError(.invalidConfiguration, "evaluation.newest is '\(newest)'; it must name a held_out set (\(names.joined(separator: ", ")))")
        }
    }

    /// True for 127.0.0.0/8, ::1 and localhost: the hosts only this machine can reach.
    static func isLoopback(_ host: String) -> Bool {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
        return host == "localhost" || host == "::1" || (octets.count == 4 && octets.allSatisfy { $0 != nil } && octets[0] == 127)
    }
}
