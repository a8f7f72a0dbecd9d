import Foundation
import TributaryLearning
import TributaryWire

/// The agent's state between messages: the checkpoint it holds (one global version, with its
/// optimizer state, replay buffer and RNG), the trigger, and the cursor of examples already
/// seen by the trigger. Every change of the checkpoint is saved (atomically) before it counts.
actor EdgeState {
    let configuration: EdgeConfiguration
    let data: any EdgeDataSource
    private(set) var held: Checkpoint?
    private var trigger: TrainingTrigger
    private var cursor: Int64
    private(set) var roundsAnswered = 0
    /// A session opened since the last ``takeOpened()``.
    private var opened = false
    /// The held model, built once per version, to predict arriving examples.
    private var model: (version: UInt64, model: Sequential)?

    init(configuration: EdgeConfiguration, data: any EdgeDataSource) throws {
        let path = configuration.checkpointPath
        do {
            try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw EdgeError(.state, "state directory \(configuration.stateDirectory): cannot create it (\((error as NSError).localizedDescription))")
        }
        var held: Checkpoint?
        if FileManager.default.fileExists(atPath: path) {
            do {
                held = try CheckpointStore.load(from: path).checkpoint
            } catch {
                throw EdgeError(.state, "edge checkpoint \(path) cannot be loaded (\(error)); move it aside to start from the coordinator's next model")
            }
        }
        let status = try Self.reading { try data.status() }
        var trigger = TrainingTrigger(configuration: configuration.triggers.trigger)
        _ = trigger.handle(.examplesArrived(status.newSinceTraining))
        self.configuration = configuration
        self.data = data
        self.held = held
        self.trigger = trigger
        self.cursor = status.newest
    }

    var heldVersion: UInt64 { ModelAdoption.version(of: held) }

    func facts() throws -> DeviceFacts {
        let status = try Self.reading { try data.status() }
        return DeviceFacts(examplesAvailable: UInt64(status.trainable), charging: true, meteredNetwork: false, modelVersion: heldVersion)
    }

    func markOpened() { opened = true }

    func takeOpened() -> Bool {
        defer { opened = false }
        return opened
    }

    func handle(_ event: TrainingTrigger.Event) -> TrainingTrigger.Reason? {
        trigger.handle(event)
    }

    /// Feeds examples stored since the last look to the trigger: each one's prediction by the
    /// held model (right or wrong), then their count. Returns the reason to announce, if any.
    func observeArrivals(limit: Int = 10_000) throws -> TrainingTrigger.Reason? {
        let (arrived, next) = try Self.reading { try data.arrivals(after: cursor, limit: limit) }
        cursor = next
        guard !arrived.isEmpty else { return nil }
        var announce: TrainingTrigger.Reason?
        if let predictor = try predictor(), arrived.featureCount == predictor.spec.inputSize {
            let predictions = Evaluation.predictions(predictor, on: arrived)
            for (predicted, label) in zip(predictions, arrived.labels) {
                announce = trigger.handle(.prediction(correct: predicted == Int(label))) ?? announce
            }
        }
        return trigger.handle(.examplesArrived(arrived.count)) ?? announce
    }

    /// The trainer and data for `offer`, or nil when there is nothing to train on.
    func prepare(_ offer: RoundOffer) throws -> (EdgeTrainer, EdgeTrainingWindow)? {
        let context = configuration.context
        let window = try Self.reading { try data.trainingWindow(limit: context.windowExamples, onlyNew: context.onlyNew) }
        guard !window.data.isEmpty else { return nil }
        let trainer = EdgeTrainer(local: held, data: window.data, retired: window.retired, seed: configuration.seed,
                                  replay: context.replay)
        return (trainer, window)
    }

    /// Keeps the job's state: saved first, then the window counts as trained.
    func finish(_ outcome: EdgeTrainer.Outcome, window: EdgeTrainingWindow, offer: RoundOffer) throws {
        var keep = outcome.keep
        if let held, heldVersion > offer.baseModelVersion, held.spec == keep.spec {
            // A newer release arrived while training: keep its parameters, take the job's state.
            keep.parameters = held.parameters
            keep.metadata = held.metadata
        }
        try save(keep)
        try Self.reading { try data.markTrained(window) }
        _ = trigger.handle(.trained(heldOutAccuracy: nil))
        roundsAnswered += 1
    }

    /// Adopts a release; returns false when it is a delta against a version not held.
    func adopt(_ release: ModelRelease) throws -> Bool {
        guard release.version > heldVersion else { return true }
        guard let adopted = try ModelAdoption.checkpoint(
            version: release.version, payload: release.model, architecture: release.architecture, held: held,
            seed: configuration.seed, replay: configuration.context.replay, field: "ModelRelease.model")
        else { return false }
        try save(adopted)
        _ = trigger.handle(.modelChanged)
        return true
    }

    private func save(_ checkpoint: Checkpoint) throws {
        do {
            _ = try CheckpointStore.save(checkpoint, to: configuration.checkpointPath)
        } catch {
            throw EdgeError(.state, "cannot save the edge checkpoint \(configuration.checkpointPath): \(error)")
        }
        held = checkpoint
    }

    private func predictor() throws -> Sequential? {
        guard let held else { return nil }
        if let model, model.version == heldVersion { return model.model }
        let built = try held.model()
        model = (heldVersion, built)
        return built
    }

    /// Runs a read or write of the data source; its failure is the edge's state failing.
    private static func reading<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as EdgeError {
            throw error
        } catch {
            throw EdgeError(.state, "local data: \(error)")
        }
    }
}
