import NIOConcurrencyHelpers
import TributaryLearning

/// The model being served, swapped atomically: a lock around one immutable ``ServedModel``
/// value (its parameters are a copy-on-write buffer never written after it is built). A reader
/// takes the whole value under the lock and predicts outside it, so a swap never waits for a
/// prediction and a prediction sees one model whole.
public final class ServingSlot: Sendable {
    private let slot: NIOLockedValueBox<ServedModel?>

    public init(_ model: ServedModel? = nil) {
        slot = NIOLockedValueBox(model)
    }

    /// The model served now (nil: none held yet).
    public var current: ServedModel? { slot.withLockedValue { $0 } }

    /// Serves `model` from now on (nil: stop serving).
    public func swap(to model: ServedModel?) {
        slot.withLockedValue { $0 = model }
    }

    /// Serves what `checkpoint` holds, unless it is what is served already (same version,
    /// architecture and parameters). Returns true when the served model changed.
    @discardableResult
    public func serve(_ checkpoint: Checkpoint?) throws -> Bool {
        guard let checkpoint else { return false }
        if let served = current, served.version == ModelAdoption.version(of: checkpoint), served.spec == checkpoint.spec,
           served.parameters == checkpoint.parameters {
            return false
        }
        swap(to: try ServedModel(checkpoint: checkpoint))
        return true
    }
}
