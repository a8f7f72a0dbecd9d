import TributaryFeedback
import TributaryLearning
import TributaryLogging
import TributaryTransport

/// Everything an edge agent runs with. Secure defaults: mutual TLS always (there is no plaintext
/// mode), the feedback endpoint off and, when on, bound to loopback only; every wait bounded.
/// Build it from a file with ``init(reader:)`` (`edge/edge.yaml` documents every key) or in
/// code (a simulator), then call ``validated()``.
public struct EdgeConfiguration: Sendable, Equatable {
    /// The coordinator, `HOST:PORT`.
    public var coordinator: Endpoint
    /// Name checked against the coordinator's certificate (nil: the host of ``coordinator``).
    public var serverName: String?
    public var tls: TLSPaths
    /// Directory of the edge checkpoint (`edge.ckpt`); created if needed.
    public var stateDirectory: String
    public var feedback: Feedback
    public var ingestion: Ingestion
    public var context: TemporalContext
    public var triggers: Triggers
    public var reconnect: ReconnectBackoff.Configuration
    public var heartbeatInterval: Duration
    public var idleTimeout: Duration
    /// Seeds the model a fresh edge builds from an offer, and the reconnect jitter.
    public var seed: UInt64
    /// `logging.format`: how `tributary-edge run` writes its log (text or json).
    public var logFormat: LogFormat = .text

    public init(coordinator: Endpoint, tls: TLSPaths, stateDirectory: String, feedback: Feedback,
                serverName: String? = nil, ingestion: Ingestion = Ingestion(), context: TemporalContext = TemporalContext(),
                triggers: Triggers = Triggers(), reconnect: ReconnectBackoff.Configuration = .init(),
                heartbeatInterval: Duration = .seconds(10), idleTimeout: Duration = .seconds(30), seed: UInt64 = 1) {
        self.coordinator = coordinator
        self.serverName = serverName
        self.tls = tls
        self.stateDirectory = stateDirectory
        self.feedback = feedback
        self.ingestion = ingestion
        self.context = context
        self.triggers = triggers
        self.reconnect = reconnect
        self.heartbeatInterval = heartbeatInterval
        self.idleTimeout = idleTimeout
        self.seed = seed
    }

    /// The edge's credentials: the fleet CA, its certificate and its private key (0600).
    public struct TLSPaths: Sendable, Equatable {
        public var ca: String
        public var certificate: String
        public var key: String

        public init(ca: String, certificate: String, key: String) {
            self.ca = ca
            self.certificate = certificate
            self.key = key
        }
    }

    /// The local feedback store and what it accepts.
    public struct Feedback: Sendable, Equatable {
        /// SQLite file (nil: `<state directory>/feedback.sqlite`).
        public var storePath: String?
        /// Features per example and classes of the label: records that do not fit are refused.
        public var featureCount: Int
        public var classCount: Int
        /// Sliding window of the store: the most examples kept, oldest dropped first (nil: unbounded).
        public var maxExamples: Int?
        /// Examples older than this are dropped (nil: kept).
        public var maxAge: Duration?
        /// CSV files imported at start, each content once.
        public var imports: [String]
        /// A CSV file larger than this is refused before it is read (imports at start are then
        /// skipped with a warning, so one huge file cannot stop the agent at every start).
        public var importMaxBytes: Int
        /// The prediction log's own quota (served predictions kept, oldest dropped; never evicts an example).
        public var maxPredictions: Int
        /// The training weight of a confirmed prediction (0: confirmations do not train).
        public var confirmWeight: Double
        /// Which served predictions go to the review queue.
        public var review: ReviewPolicy
        /// The share of labelled examples kept back as the local held-out set (never trained on;
        /// chosen by a hash of the example id), for the coordinator's evaluate rounds. 0: none.
        public var heldOutFraction: Double

        public init(featureCount: Int, classCount: Int, storePath: String? = nil, maxExamples: Int? = 100_000,
                    maxAge: Duration? = nil, imports: [String] = [], importMaxBytes: Int = 64 << 20,
                    maxPredictions: Int = 10_000, confirmWeight: Double = 0.5, heldOutFraction: Double = 0,
                    review: ReviewPolicy = ReviewPolicy()) {
            self.heldOutFraction = heldOutFraction
            self.maxPredictions = maxPredictions
            self.confirmWeight = confirmWeight
            self.review = review
            self.storePath = storePath
            self.featureCount = featureCount
            self.classCount = classCount
            self.maxExamples = maxExamples
            self.maxAge = maxAge
            self.imports = imports
            self.importMaxBytes = importMaxBytes
        }
    }

    /// The local HTTP endpoint (POST /v1/predict, POST /v1/feedback, GET /v1/review,
    /// POST /v1/review/{id}, GET /v1/status). Off by default.
    public struct Ingestion: Sendable, Equatable {
        public var enabled: Bool
        /// Loopback only: 127.0.0.1 or ::1 (or localhost).
        public var listen: Endpoint

        public init(enabled: Bool = false, listen: Endpoint = Endpoint(host: "127.0.0.1", port: 8477)) {
            self.enabled = enabled
            self.listen = listen
        }
    }

    /// How much of the past a round sees: the newest examples of the store, plus the replay
    /// buffer in the checkpoint (whose policy may decay old examples' weight).
    public struct TemporalContext: Sendable, Equatable {
        /// A round trains on at most this many of the newest trainable examples.
        public var windowExamples: Int
        /// Train only on examples that arrived since the last trained round (else the whole window).
        public var onlyNew: Bool
        public var replay: ReplayConfiguration

        public init(windowExamples: Int = 5_000, onlyNew: Bool = false,
                    replay: ReplayConfiguration = ReplayConfiguration(capacity: 200, policy: .reservoir)) {
            self.windowExamples = windowExamples
            self.onlyNew = onlyNew
            self.replay = replay
        }
    }

    /// When the agent reports itself Ready.
    public struct Triggers: Sendable, Equatable {
        public var trigger: TrainingTrigger.Configuration
        /// How often the agent looks for newly stored examples.
        public var checkInterval: Duration
        /// Ready for a round only while a trigger's reason is pending: after answering a round the
        /// edge reports `Ready{ready: false}` (and so on connecting with nothing pending), so a
        /// coordinator's `ready_clients` trigger does not start round after round on data it has
        /// trained on. Off (ready whenever it holds data): an edge with a fixed data set, as in a
        /// simulation or a benchmark, which answers every round. The configuration file's default
        /// (`triggers.ready_only_on_trigger`) is on.
        public var readyOnlyOnTrigger: Bool

        public init(trigger: TrainingTrigger.Configuration = .init(volumeThreshold: 100, accuracyDropMargin: 0.1, accuracyWindow: 50,
                                                                   pageHinkley: PageHinkley()),
                    checkInterval: Duration = .seconds(5), readyOnlyOnTrigger: Bool = false) {
            self.trigger = trigger
            self.checkInterval = checkInterval
            self.readyOnlyOnTrigger = readyOnlyOnTrigger
        }
    }

    /// The feedback store's file.
    public var feedbackStorePath: String { feedback.storePath ?? stateDirectory + "/feedback.sqlite" }
    /// The edge checkpoint's file.
    public var checkpointPath: String { stateDirectory + "/edge.ckpt" }
    /// The last Update sent (its wire frame), sent again when its round is offered again.
    public var keptUpdatePath: String { stateDirectory + "/last-update.frame" }
}
