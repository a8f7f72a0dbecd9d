// swift-tools-version: 6.0
import PackageDescription

// Layers, lowest first; nothing imports upward (docs/architecture.md has the table):
//
//   foundations   TributarySystem · TributaryConfig (YAML) · TributaryLogging (text/JSON logs) · COpenBLAS → TributaryNumerics
//   learning      TributaryLearning (models, EWC, replay, job, checkpoints, drift)
//                 TributaryAggregation (pure) · TributaryRounds (sans-IO round logic)
//                 TributarySecureAggregation (SecAgg+: sans-IO client and server machines, fixed point, Shamir)
//                 TributaryExperiments (digits protocols, partitions, federated runner)
//                 TributaryONNX (a model with its standardiser folded in, as an ONNX file)
//   protocol      TributaryWire (contract, framing) → TributarySession (sans-IO sessions)
//                 TributaryCertificates (fleet CA, identity, deny list)
//   I/O shells    TributaryTransport (shared mTLS/NIO session plumbing) → TributaryEdgeTransport (client)
//                 · TributaryCoordinatorTransport (server) · TributaryRegistry (SQLite + blobs)
//                 TributaryHTTP (Hummingbird endpoints, /metrics) · TributaryFeedback (SQLite) → TributaryFeedbackHTTP · TributaryEdge
//                 TributaryCoordinator (the round service: rounds + aggregation + registry + gate + release)
//   executables   TributaryCLI → tributary · TributaryEdgeCLI → tributary-edge · benches · crash-test helpers
/// What each side's transport (TributaryEdgeTransport, TributaryCoordinatorTransport) builds on.
let transportSide: [Target.Dependency] = [
    "TributaryTransport",
    "TributaryWire",
    "TributarySession",
    "TributaryCertificates",
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
    .product(name: "X509", package: "swift-certificates"),
    .product(name: "Logging", package: "swift-log"),
]

let package = Package(
    name: "Tributary",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tributary", targets: ["tributary"]),
        .executable(name: "tributary-edge", targets: ["tributary-edge"]),
        .library(name: "TributaryNumerics", targets: ["TributaryNumerics"]),
        .library(name: "TributaryLearning", targets: ["TributaryLearning"]),
        .library(name: "TributaryWire", targets: ["TributaryWire"]),
        .library(name: "TributaryAggregation", targets: ["TributaryAggregation"]),
        .library(name: "TributaryRegistry", targets: ["TributaryRegistry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "TributarySystem"),
        // The log backend the executables install: text or one JSON object a line (`--log-format`).
        .target(name: "TributaryLogging", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // Configuration files (YAML): typed reads whose errors name the key and the value; --set overrides.
        .target(name: "TributaryConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "TributaryNumerics", dependencies: ["COpenBLAS"]),
        .target(
            name: "TributaryLearning",
            dependencies: [
                "TributaryNumerics",
                "TributarySystem",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Secure aggregation (SecAgg+): fixed-point in Z_2^k, Shamir sharing, the client and server
        // machines of the four phases (sans-IO); X25519, HKDF, ChaCha20(-Poly1305) from swift-crypto.
        .target(
            name: "TributarySecureAggregation",
            dependencies: [
                "TributarySystem",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(name: "TributaryExperiments", dependencies: ["TributaryLearning", "TributaryAggregation", "TributarySystem"]),
        // The edge's feedback store (SQLite via GRDB): labelled examples with their provenance.
        .target(
            name: "TributaryFeedback",
            dependencies: [
                "TributaryLearning",
                "TributarySystem",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The small HTTP endpoints both sides share (the coordinator's admin API, the edge's
        // feedback API) on Hummingbird: loopback unless a bearer token is set, JSON errors with
        // codes, GET /metrics (Prometheus text) and the Prometheus bootstrap the executables call.
        .target(
            name: "TributaryHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The feedback endpoint on loopback HTTP: FeedbackAPI (pure) behind the shared shell.
        .target(
            name: "TributaryFeedbackHTTP",
            dependencies: [
                "TributaryFeedback",
                "TributaryHTTP",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The coordinator's round logic, sans-IO: events in, actions out, clock injected.
        .target(name: "TributaryRounds", dependencies: ["TributaryNumerics", "TributarySystem"]),
        .target(
            name: "TributaryCertificates",
            dependencies: [
                "TributarySystem",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // Wire: the protobuf contract (generated code kept internal), domain mappings, framing.
        .target(
            name: "TributaryWire",
            dependencies: [
                "TributarySystem",
                "TributaryNumerics",
                "TributarySecureAggregation",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // ONNX export: a model with its standardiser folded in, as a standard ONNX file (the generated
        // subset of onnx.proto kept internal) that an app runs with its own runtime.
        .target(
            name: "TributaryONNX",
            dependencies: [
                "TributaryLearning",
                "TributarySystem",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // Client-level differential privacy (DP-FedAvg): clipping of deltas and Fishers, Gaussian noise
        // (trusted-server or distributed), a Rényi-DP accountant and a budget; pure, no I/O.
        .target(name: "TributaryPrivacy", dependencies: ["TributaryNumerics", "TributarySystem"]),
        // Compressed updates: int8 with per-block scales and stochastic rounding, fp16, top-k with
        // error feedback; documented byte formats; int8 sums in Z_2^32 for secure aggregation.
        .target(name: "TributaryCompression", dependencies: ["TributaryNumerics", "TributarySystem"]),
        // Aggregation: pure streaming accumulators and server optimizers over flat float buffers; no I/O.
        .target(name: "TributaryAggregation", dependencies: ["TributaryNumerics", "TributarySystem"]),
        // Registry: model versions in SQLite (WAL) + content-addressed checkpoint blobs, round journal.
        .target(
            name: "TributaryRegistry",
            dependencies: [
                "TributarySystem",
                "TributaryLearning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Session: sans-IO per-connection state machines (events in, actions out, clock injected); no NIO.
        .target(name: "TributarySession", dependencies: ["TributaryWire", "TributarySystem"]),
        // Transport, in three parts so each side links only its own: the shared part (the thin
        // handler that runs a session state machine, the async connection, TLS material, errors),
        // the edge's client and the coordinator's server (admission, limits, deny list, gate).
        .target(
            name: "TributaryTransport",
            dependencies: [
                "TributaryWire",
                "TributarySession",
                "TributarySystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TributaryEdgeTransport", dependencies: transportSide),
        .target(
            name: "TributaryCoordinatorTransport",
            dependencies: transportSide + [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Mappings between the learning layer's models/plans/EWC state and the wire's messages.
        .target(name: "TributaryModelWire", dependencies: ["TributaryLearning", "TributaryWire"]),
        // Edge: the long-running agent (a Service): reconnects, triggers, checkpoint, feedback store as data.
        .target(
            name: "TributaryEdge",
            dependencies: [
                "TributaryConfig",
                "TributaryPrivacy",
                "TributaryLearning",
                "TributaryModelWire",
                "TributaryWire",
                "TributarySecureAggregation",
                "TributaryCompression",
                "TributaryTransport",
                "TributaryEdgeTransport",
                "TributaryCertificates",
                "TributaryFeedback",
                "TributarySystem",
                "TributaryLogging",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Coordinator: the Service that owns the round machine and does its I/O (sessions, registry,
        // aggregation, evaluation gate, releases, admin endpoint on loopback HTTP).
        .target(
            name: "TributaryCoordinator",
            dependencies: [
                "TributaryConfig",
                "TributaryPrivacy",
                "TributaryLearning",
                "TributaryAggregation",
                "TributaryRounds",
                "TributaryRegistry",
                "TributaryModelWire",
                "TributaryWire",
                "TributarySecureAggregation",
                "TributaryCompression",
                "TributaryTransport",
                "TributaryCoordinatorTransport",
                "TributaryCertificates",
                "TributarySystem",
                "TributaryHTTP",
                "TributaryLogging",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Simulation: a coordinator and N edge agents in one process over loopback mTLS (`tributary simulate`).
        .target(
            name: "TributarySimulation",
            dependencies: [
                "TributaryCoordinator",
                "TributaryEdge",
                "TributaryExperiments",
                "TributaryCertificates",
                "TributaryTransport",
                "TributaryEdgeTransport",
                "TributaryRounds",
                "TributarySystem",
                "TributaryWire",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TributaryCLI",
            dependencies: [
                "TributaryCoordinator",
                "TributaryConfig",
                "TributarySystem",
                "TributaryLearning",
                "TributaryExperiments",
                "TributaryCertificates",
                "TributaryWire",
                "TributaryRegistry",
                "TributaryTransport",
                "TributaryEdge",
                "TributaryModelWire",
                "TributarySimulation",
                "TributaryONNX",
                "TributaryHTTP",
                "TributaryLogging",
                "TributaryCompression",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The admin endpoint's client (`tributary round`).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(
            name: "tributary",
            dependencies: [
                "TributaryCLI",
                "TributaryNumerics",
                "TributaryHTTP",
                "TributaryLogging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What `tributary-edge run` does, shared with its crash-test twin: flags, configuration,
        // credentials, feedback store and imports, the agent and the feedback endpoint in a ServiceGroup.
        .target(
            name: "TributaryEdgeCLI",
            dependencies: [
                "TributaryEdge",
                "TributaryConfig",
                "TributaryFeedback",
                "TributaryFeedbackHTTP",
                "TributaryHTTP",
                "TributaryLogging",
                "TributaryTransport",
                "TributaryCertificates",
                "TributaryLearning",
                "TributaryONNX",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "tributary-edge",
            dependencies: [
                "TributaryEdgeCLI",
                "TributaryEdge",
                "TributaryFeedback",
                "TributaryLearning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `tributary-edge run` with a pause hook (EdgeFaults.onTrainingStep) to SIGKILL it mid-training; driven by TributaryCLITests.
        .executableTarget(
            name: "tributary-edge-crashtest",
            dependencies: [
                "TributaryEdgeCLI", "TributaryEdge", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "TributaryWireBench", dependencies: ["TributaryWire"]),
        // Edge serving: predict latency/throughput in process and over loopback HTTP, prediction-log ingest, RSS.
        .executableTarget(
            name: "TributaryServingBench",
            dependencies: ["TributaryEdge", "TributaryFeedback", "TributaryFeedbackHTTP", "TributaryLearning"]
        ),
        // The accuracy cost of compressed and DP uploads: the federated digits runner with int8 / top-k / DP-FedAvg.
        .executableTarget(
            name: "TributaryCompressionBench",
            dependencies: ["TributaryCompression", "TributaryPrivacy", "TributaryExperiments", "TributaryAggregation", "TributaryLearning", "TributaryNumerics"]
        ),
        // Secure aggregation: client and server CPU time and memory per phase, against a plaintext sum.
        .executableTarget(
            name: "TributarySecAggBench",
            dependencies: ["TributarySecureAggregation", "TributaryNumerics", .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(name: "TributaryAggregationBench", dependencies: ["TributaryAggregation", "TributaryNumerics"]),
        // Commits registry versions in a loop until SIGKILLed; driven by TributaryRegistryTests.
        .executableTarget(name: "tributary-registry-crashtest", dependencies: ["TributaryRegistry", "TributaryLearning"]),
        // `coordinator serve` with a pause hook (CoordinatorHooks) to SIGKILL it mid-round; driven by TributaryCLITests.
        .executableTarget(
            name: "tributary-coordinator-crashtest",
            dependencies: [
                "TributaryCoordinator", "TributaryCLI", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Coordinator RSS with N mTLS clients and round wall time, against a real coordinator process.
        .executableTarget(
            name: "TributaryCoordinatorBench",
            dependencies: [
                "TributaryCoordinator", "TributaryTransport", "TributaryEdgeTransport", "TributaryCertificates", "TributaryEdge", "TributaryLearning",
                "TributaryModelWire", "TributaryWire", "TributaryCLI", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "TributaryTransportBench",
            dependencies: [
                "TributaryTransport",
                "TributaryEdgeTransport",
                "TributaryCoordinatorTransport",
                "TributaryCertificates",
                "TributaryWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TributaryNumericsTests", dependencies: ["TributaryNumerics"]),
        .testTarget(name: "TributaryConfigTests", dependencies: ["TributaryConfig"]),
        .testTarget(
            name: "TributaryLoggingTests",
            dependencies: ["TributaryLogging", .product(name: "Logging", package: "swift-log"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]),
        .testTarget(name: "TributaryLearningTests", dependencies: ["TributaryLearning", "TributarySystem"]),
        .testTarget(name: "TributaryONNXTests", dependencies: ["TributaryONNX", "TributaryLearning"]),
        .testTarget(name: "TributaryExperimentsTests", dependencies: ["TributaryExperiments"]),
        .testTarget(name: "TributaryRoundsTests", dependencies: ["TributaryRounds"]),
        .testTarget(name: "TributaryFeedbackTests", dependencies: ["TributaryFeedback", "TributaryFeedbackHTTP", "TributarySystem"]),
        .testTarget(name: "TributaryCLITests", dependencies: ["TributaryCLI", "TributarySystem"]),
        .testTarget(name: "TributaryPrivacyTests", dependencies: ["TributaryPrivacy", "TributaryNumerics"]),
        .testTarget(name: "TributaryCompressionTests", dependencies: ["TributaryCompression", "TributaryNumerics"]),
        .testTarget(name: "TributarySecureAggregationTests", dependencies: ["TributarySecureAggregation", "TributaryNumerics"]),
        .testTarget(name: "TributaryAggregationTests", dependencies: ["TributaryAggregation", "TributaryNumerics"]),
        .testTarget(
            name: "TributaryRegistryTests",
            dependencies: ["TributaryRegistry", "TributaryLearning", "TributarySystem", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "TributaryCertificatesTests",
            dependencies: [
                "TributaryCertificates",
                "TributaryCLI",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .testTarget(
            name: "TributaryCoordinatorTests",
            dependencies: [
                "TributaryCoordinator", "TributaryLearning", "TributaryRegistry", "TributaryWire", "TributaryModelWire", "TributaryPrivacy",
                "TributaryRounds", "TributaryAggregation", "TributaryEdge", "TributaryTransport", "TributaryEdgeTransport",
                "TributaryCoordinatorTransport", "TributaryCertificates", "TributaryCompression", "TributaryNumerics",
                "TributaryConfig", "TributarySystem", "TributaryCLI", "TributaryHTTP",
                .product(name: "Logging", package: "swift-log"),
                // A second SQLite connection holds the registry's write lock: a real storage failure.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "TributaryEdgeTests",
            dependencies: [
                "TributaryEdge",
                "TributarySecureAggregation",
                "TributaryModelWire",
                "TributaryLearning",
                "TributaryWire",
                "TributaryCompression",
                "TributaryConfig",
                "TributaryFeedback",
                "TributaryTransport",
                "TributaryEdgeTransport",
                "TributaryCoordinatorTransport",
                "TributaryCertificates",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TributarySimulationTests", dependencies: ["TributarySimulation", "TributaryExperiments", "TributaryWire", "TributaryCoordinator"]),
        .testTarget(name: "TributarySessionTests", dependencies: ["TributarySession", "TributaryWire"]),
        .testTarget(name: "TributaryModelWireTests", dependencies: ["TributaryModelWire", "TributaryLearning", "TributaryNumerics", "TributaryWire"]),
        .testTarget(
            name: "TributaryTransportTests",
            dependencies: [
                "TributaryTransport",
                "TributaryEdgeTransport",
                "TributaryCoordinatorTransport",
                "TributarySession",
                "TributaryWire",
                "TributaryCertificates",
                "TributarySystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "TributaryWireTests",
            dependencies: [
                "TributaryWire",
                "TributarySecureAggregation",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
    ]
)
