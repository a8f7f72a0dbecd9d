/// Bounds how many model-sized messages (RoundOffers, ModelReleases) are being written at once,
/// so the coordinator's memory for sending a model to N clients is `permits` encodings, not N:
/// each send holds a permit until its last frame reached the socket (or its deadline closed the
/// connection).
actor TransferLimiter {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) {
        precondition(permits >= 1, "transfer permits: \(permits), must be ≥ 1")
        available = permits
    }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
