import Logging

extension EdgeAgent {
    /// The log line of an event (info: what an operator follows; the Update's own line is
    /// written when it reaches the connection).
    func log(_ event: EdgeEvent) {
        EdgeMetrics.record(event)
        switch event {
        case .offered(let round, let version):
            logger.info("round offered", metadata: ["round.id": "\(round)", "model.version": "\(version)"])
        case .skipped(let round, let reason):
            logger.info("round not answered", metadata: ["round.id": "\(round)", "reason": "\(reason)"])
        case .maskedInputRequested(let round):
            logger.info("secure round: masked input requested", metadata: ["round.id": "\(round)"])
        case .maskedInputSent(let round, let examples, _):
            logger.info("secure round: masked input sent", metadata: ["round.id": "\(round)", "train.examples": "\(examples)"])
        case .secureRoundAnswered(let round):
            logger.info("secure round: unmasking answered", metadata: ["round.id": "\(round)"])
        case .updateResent(let round):
            logger.info("round offered again: the kept Update sent again, untrained", metadata: ["round.id": "\(round)"])
        case .receipt(let round, let status, let reason):
            logger.info("update receipt", metadata: ["round.id": "\(round)", "receipt.status": "\(status)", "reason": "\(reason)"])
        case .adopted(let version):
            logger.info("model adopted", metadata: ["model.version": "\(version)"])
        case .releaseIgnored(let version, let held):
            logger.info("model release is a delta against a version this edge does not hold; keeping its model until the next offer",
                        metadata: ["model.version": "\(version)", "model.held": "\(held)"])
        case .evaluated(let version, let examples, let correct, let reason):
            logger.info("candidate evaluated on the held-out set", metadata: [
                "model.version": "\(version)", "examples": "\(examples)", "correct": "\(correct)", "reason": "\(reason)",
            ])
        case .disconnected(let reason):
            logger.info("session ended", metadata: ["reason": "\(reason)"])
        case .backingOff(let delay):
            logger.info("coordinator unreachable or session ended; reconnecting", metadata: ["backoff.delay": "\(delay)"])
        case .connected, .readySent, .trained, .updateSent, .stopped, .liveOutcomes:
            break
        }
    }
}
