import ArgumentParser
import Foundation
import Logging
import TributaryCertificates
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryTransport
import TributaryWire

/// `tributary coordinator serve`: a minimal coordinator (issue 3): once enough clients are
/// connected it offers the checkpoint's model and plan, logs each Update, and exits after the
/// requested rounds. Aggregation, registry and round journal come with issue 4.
struct CoordinatorServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve edge agents over mutual TLS 1.3: offer the checkpoint's model, collect Updates.")

    @Option(help: "Fleet directory (ca.pem, revoked.txt).") var fleet: String
    @Option(help: "Coordinator certificate (from `tributary certs issue --server`).") var cert: String
    @Option(help: "Coordinator private key.") var key: String
    @Option(help: "Checkpoint whose model and plan are offered.") var checkpoint: String
    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one; the bound address is printed).") var listen: String
    @Option(help: "Rounds to run before exiting.") var rounds: Int = 1
    @Option(help: "Connected clients needed to start a round.") var minClients: Int = 1
    @Option(help: "Seconds an offered round stays open (the plan's deadline).") var roundSeconds: Int = 300
    @Option(help: "Heartbeat interval in seconds.") var heartbeatSeconds: Int = 10

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds is \(rounds); must be >= 1") }
        guard minClients >= 1 else { throw ValidationError("--min-clients is \(minClients); must be >= 1") }
        guard roundSeconds >= 1 else { throw ValidationError("--round-seconds is \(roundSeconds); must be >= 1") }
        guard heartbeatSeconds >= 1 else { throw ValidationError("--heartbeat-seconds is \(heartbeatSeconds); must be >= 1") }
    }

    func run() async throws {
        let logger = Logger(label: "tributary.coordinator")
        do {
            try await serve(logger: logger)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func serve(logger: Logger) async throws {
        let endpoint = try Endpoint(parsing: listen)
        let directory = FleetDirectory(path: fleet)
        let credentials = try await FleetCredentials.load(certificate: cert, key: key, trustRoot: directory.caCertificatePath,
                                                          role: .server, now: Date())
        let (model, digest) = try CheckpointStore.load(from: checkpoint)
        let version = UInt64(model.metadata["model.version"] ?? "") ?? 1
        var configuration = try CoordinatorTransportConfiguration.mutualTLS(credentials: credentials, denyListPath: directory.denyListPath)
        configuration.globalModelVersion = version
        configuration.session.heartbeatInterval = .seconds(heartbeatSeconds)
        configuration.session.idleTimeout = .seconds(3 * heartbeatSeconds)
        let parameters = try LearningWire.parameterSet(model.parameters, layout: model.spec.parameterLayout)

        let server = try await CoordinatorServer.bind(host: endpoint.host, port: endpoint.port, configuration: configuration, logger: logger)
        say("coordinator listening on \(server.localAddress.ipAddress ?? endpoint.host):\(server.localAddress.port ?? endpoint.port) (TLS 1.3, model \(digest.prefix(12)), version \(version))")

        let board = RoundBoard(rounds: rounds, minClients: minClients)
        let plan = model.plan
        let learningRate = Double(plan.learningRate ?? model.optimizer.learningRate)
        let roundSeconds = roundSeconds
        let architecture = LearningWire.architecture(model.spec)
        let serverTask = Task {
            try await server.run { client in
                var log = logger
                log[metadataKey: "client.id"] = "\(client.clientID)"
                log.info("client joined", metadata: ["examples": "\(client.hello.device.examplesAvailable)"])
                while let round = await board.join() {
                    let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(roundSeconds) * 1000
                    let offer = RoundOffer(
                        roundID: round, baseModelVersion: version, model: .full(parameters),
                        plan: TributaryWire.TrainingPlan(
                            epochs: UInt32(plan.epochs), batchSize: UInt32(plan.batchSize), learningRate: learningRate,
                            ewcLambda: Double(plan.ewc?.lambda ?? 0), fedProxMu: Double(plan.proximalMu),
                            deadlineUnixMilliseconds: deadline),
                        architecture: architecture)
                    // The round's deadline (plus 30 s of grace) bounds the wait for this client.
                    let closer = client.connection.closer
                    let watchdog = Task {
                        try await Task.sleep(for: .seconds(roundSeconds + 30))
                        log.info("no Update before the round's deadline; closing", metadata: ["round.id": "\(round)"])
                        closer.close()
                    }
                    defer { watchdog.cancel() }
                    let answer: Update?
                    do {
                        try await client.connection.send(.roundOffer(offer))
                        answer = try await Self.awaitUpdate(client.connection, round: round)
                    } catch {
                        log.info("client left the round", metadata: ["round.id": "\(round)", "reason": "\(error)"])
                        answer = nil
                    }
                    guard let update = answer else {
                        await board.leave(round: round)
                        return
                    }
                    let norm = update.delta.tensors.reduce(0.0) { sum, named in
                        sum + named.tensor.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
                    }.squareRoot()
                    let loss = update.metrics["train.loss"].map { String(format: "%.4f", $0) } ?? "?"
                    say("round \(round): Update from \(client.clientID): \(update.numExamples) examples, |delta| \(String(format: "%.4f", norm)), train.loss \(loss), fisher \(update.fisher == nil ? "absent" : "present")")
                                log.info("update accepted", metadata: ["round.id": "\(round)", "examples": "\(update.numExamples)"])
                    await board.finished(round: round)
                }
                try await client.connection.send(.goodbye(Goodbye(reason: .done, detail: "all \(roundsDescription) done")))
                // Drain until the client closes, so the Goodbye is delivered.
                while (try? await client.connection.next()) != nil {}
            }
        }
        await board.waitUntilDone()
        try? await Task.sleep(for: .milliseconds(200))
        await server.close()
        serverTask.cancel()
        _ = try? await serverTask.value
        say("coordinator: \(rounds) round(s) completed")
    }

    private var roundsDescription: String { "\(rounds) round(s)" }

    /// The Update for `round`, or nil when the client left first (Goodbye or closed).
    private static func awaitUpdate(_ connection: SessionConnection, round: UInt64) async throws -> Update? {
        while let message = try await connection.next() {
            if case .update(let update) = message, update.roundID == round { return update }
        }
        return nil
    }
}

/// One line to stdout, unbuffered (scripts and tests read it while the process runs).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Which round a client should answer next: round r starts when `minClients` clients wait for it.
actor RoundBoard {
    let rounds: Int
    let minClients: Int
    private var current: UInt64 = 0
    private var started = false
    private var waiting: [CheckedContinuation<UInt64?, Never>] = []
    private var outstanding = 0
    private var done: [CheckedContinuation<Void, Never>] = []
    private var finishedAll = false

    init(rounds: Int, minClients: Int) {
        self.rounds = rounds
        self.minClients = minClients
    }

    /// Waits for the next round to start; nil when every round is done.
    func join() async -> UInt64? {
        if finishedAll { return nil }
        return await withCheckedContinuation { continuation in
            waiting.append(continuation)
            startIfReady()
        }
    }

    func finished(round: UInt64) {
        outstanding -= 1
        advanceIfComplete()
    }

    func leave(round: UInt64) {
        outstanding -= 1
        advanceIfComplete()
    }

    func waitUntilDone() async {
        if finishedAll { return }
        await withCheckedContinuation { done.append($0) }
    }

    private func startIfReady() {
        guard outstanding == 0, !finishedAll, waiting.count >= minClients else { return }
        current += 1
        outstanding = waiting.count
        let starting = waiting
        waiting.removeAll()
        for continuation in starting { continuation.resume(returning: current) }
    }

    private func advanceIfComplete() {
        guard outstanding == 0 else { return }
        if current >= UInt64(rounds) {
            finishedAll = true
            for continuation in waiting { continuation.resume(returning: nil) }
            waiting.removeAll()
            for continuation in done { continuation.resume() }
            done.removeAll()
        } else {
            startIfReady()
        }
    }
}
