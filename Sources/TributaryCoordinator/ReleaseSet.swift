import TributaryLearning
import TributaryModelWire
import TributaryWire

/// The live version's wire forms, built once per version (not per client): the full parameters,
/// and the delta against the parent version when the parent's parameters are known.
///
/// ``release(forClientHolding:)`` picks what a client receives: nothing when it holds the live
/// version, the delta when it holds exactly the parent, the full model otherwise. A receiver
/// applies a delta as θ_parent + Δ in Float32; the delta is built so that sum is the version's
/// parameters bit for bit (`ParameterDelta.exact`), else there is none and every client gets the
/// full model: a version number names one set of parameters wherever it is held.
struct ReleaseSet: Sendable {
    let version: UInt64
    /// The registry parent (0 for an initial model).
    let parentVersion: UInt64
    let full: ParameterSet
    let delta: ParameterSet?
    let architecture: ModelArchitecture
    /// The version's preprocessing (nil: identity), sent with every release.
    let preprocessing: PreprocessingMessage?

    init(live: GlobalModel, parentVersion: UInt64, parentParameters: [Float]?) throws {
        let layout = live.checkpoint.spec.parameterLayout
        version = live.version
        self.parentVersion = parentVersion
        full = try LearningWire.parameterSet(live.parameters, layout: layout)
        if let parentParameters, parentVersion > 0, parentParameters.count == live.parameters.count,
           let exact = ParameterDelta.exact(candidate: live.parameters, base: parentParameters) {
            delta = try LearningWire.parameterSet(exact, layout: layout)
        } else {
            delta = nil
        }
        architecture = LearningWire.architecture(live.checkpoint.spec)
        preprocessing = LearningWire.preprocessing(live.checkpoint.preprocessing)
    }

    /// What to send a client that holds `held` (nil or 0: no global model yet).
    func release(forClientHolding held: UInt64?) -> ModelRelease? {
        if held == version { return nil }
        if let delta, held == parentVersion {
            return ModelRelease(version: version, parentVersion: parentVersion, model: .delta(baseVersion: parentVersion, delta: delta),
                                architecture: architecture, preprocessing: preprocessing)
        }
        return ModelRelease(version: version, parentVersion: parentVersion, model: .full(full), architecture: architecture,
                            preprocessing: preprocessing)
    }
}
