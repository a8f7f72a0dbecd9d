import Foundation
import Logging
import TributaryCertificates
import TributaryLearning
import TributaryModelWire
import TributaryTransport
import TributaryWire

/// The edge agent's run: connect, wait for Welcome, answer RoundOffers with Updates trained on
/// the local data, adopt ModelReleases, and stop on the coordinator's Goodbye (or after
/// `maxRounds` answered offers when `waitForRelease` is false).
public struct EdgeAgent: Sendable {
    public var host: String
    public var port: Int
    public var transport: EdgeTransportConfiguration
    public var clientID: String
    public var data: Dataset
    /// Directory of the edge's checkpoint (`edge.ckpt`), created if needed.
    public var stateDirectory: String
    public var maxRounds: Int
    public var waitForRelease: Bool

    public init(host: String, port: Int, transport: EdgeTransportConfiguration, clientID: String, data: Dataset,
                stateDirectory: String, maxRounds: Int = 1, waitForRelease: Bool = false) {
        self.host = host
        self.port = port
        self.transport = transport
        self.clientID = clientID
        self.data = data
        self.stateDirectory = stateDirectory
        self.maxRounds = maxRounds
        self.waitForRelease = waitForRelease
    }

    public var checkpointPath: String { stateDirectory + "/edge.ckpt" }

    /// Runs until the coordinator says Goodbye or `maxRounds` offers were answered.
    /// - Returns: the Updates sent.
    @discardableResult
    public func run(logger: Logger) async throws -> [Update] {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let local = FileManager.default.fileExists(atPath: checkpointPath) ? try CheckpointStore.load(from: checkpointPath).checkpoint : nil
        let modelVersion = local.flatMap { UInt64($0.metadata["model.version"] ?? "") } ?? 0
        let hello = Hello(clientID: clientID,
                          device: DeviceFacts(examplesAvailable: UInt64(data.count), charging: true, meteredNetwork: false,
                                              modelVersion: modelVersion))
        let trainer = EdgeTrainer(local: local, data: data)
        let path = checkpointPath
        return try await EdgeClient.withSession(host: host, port: port, hello: hello, configuration: transport, logger: logger) { welcome, connection in
            logger.info("session open", metadata: ["session.id": "\(welcome.sessionID)", "model.version": "\(welcome.globalModelVersion)"])
            var sent: [Update] = []
            var trainer = trainer
            while let message = try await connection.next() {
                switch message {
                case .roundOffer(let offer):
                    logger.info("round offered", metadata: ["round.id": "\(offer.roundID)", "model.version": "\(offer.baseModelVersion)"])
                    let current = trainer
                    let outcome = try await Task.detached { try current.answer(offer) }.value
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    guard now <= offer.plan.deadlineUnixMilliseconds else {
                        logger.info("round deadline passed before training finished; no Update sent", metadata: ["round.id": "\(offer.roundID)"])
                        continue
                    }
                    var candidate = outcome.candidate
                    candidate.metadata["model.version"] = "\(offer.baseModelVersion)"
                    candidate.metadata["round.id"] = "\(offer.roundID)"
                    _ = try CheckpointStore.save(candidate, to: path)
                    trainer.local = candidate
                    try await connection.send(.update(outcome.update))
                    sent.append(outcome.update)
                    logger.info("update sent", metadata: [
                        "round.id": "\(offer.roundID)", "examples": "\(outcome.update.numExamples)",
                        "train.loss": "\(outcome.report.newDataAfter.loss)", "delta.norm": "\(outcome.report.parameterDeltaNorm)",
                    ])
                    if !waitForRelease && sent.count >= maxRounds {
                        // Best effort: the coordinator may already have said Goodbye itself.
                        try? await connection.send(.goodbye(Goodbye(reason: .done, detail: "answered \(sent.count) round(s)")))
                        return sent
                    }
                case .modelRelease(let release):
                    if case .full(let parameters) = release.model, var local = trainer.local {
                        local.parameters = try LearningWire.flatten(parameters, layout: local.spec.parameterLayout, field: "ModelRelease.model")
                        local.metadata["model.version"] = "\(release.version)"
                        _ = try CheckpointStore.save(local, to: path)
                        trainer.local = local
                    }
                    logger.info("model released", metadata: ["model.version": "\(release.version)"])
                case .goodbye(let goodbye):
                    logger.info("coordinator said goodbye", metadata: ["reason": "\(goodbye.reason.rawValue)", "detail": "\(goodbye.detail)"])
                default:
                    break
                }
            }
            return sent
        }
    }
}
