import Foundation

/// The server of a secure-aggregation round as a value with no I/O: clients' messages, ticks and
/// disconnections go in with the time, ``SecAggServerAction``s come out.
///
/// Each phase closes when every client still in the round has answered or its deadline passes,
/// keeping the clients that answered. Masked inputs are summed as they arrive (the server holds
/// one running sum, never a list of vectors). When unmasking closes, the machine hands the heavy
/// computation to its shell (``SecAggServerAction/unmask(_:)``) and takes its outcome back
/// (``unmaskingFinished(_:now:)``). Fewer than `minimumClients` at the end of a phase, or fewer
/// than `threshold` shares for a client that must be unmasked, abort the round with a named reason.
public struct SecAggServer: Sendable {
    public let configuration: SecAggConfiguration
    private let graph: NeighbourGraph
    public private(set) var phase: Phase = .advertiseKeys
    private var deadline: ContinuousClock.Instant?
    private var disconnected: Set<Int> = []

    /// Phase 1: U1 and their keys.
    private var keys: [Int: AdvertisedKeys] = [:]
    /// Phase 2: U2, and the shares waiting for each receiver.
    private var shareSenders: Set<Int> = []
    private var sharesFor: [Int: [EncryptedShare]] = [:]
    /// Phase 3: U3 and the running sum of their masked inputs.
    private var maskedSenders: Set<Int> = []
    private var maskedSum: [UInt64]
    /// Phase 4: the revealed shares, by owner.
    private var selfMaskShares: [Int: [SecretShare]] = [:]
    private var maskingKeyShares: [Int: [SecretShare]] = [:]
    private var unmaskResponders: Set<Int> = []

    /// Where the round is.
    public enum Phase: Sendable, Hashable {
        case advertiseKeys, shareKeys, maskedInput, unmasking
        /// The unmasking phase closed; the shell runs the ``SecAggUnmaskingJob``.
        case computingSum
        case finished, aborted
    }

    public init(configuration: SecAggConfiguration) {
        self.configuration = configuration
        graph = NeighbourGraph(clientCount: configuration.clientCount, degree: configuration.neighbourCount, seed: configuration.graphSeed)
        maskedSum = []
    }

    /// Opens phase 1 (the clients were told to start by the round's offer).
    public mutating func start(now: ContinuousClock.Instant) -> [SecAggServerAction] {
        precondition(phase == .advertiseKeys && deadline == nil, "SecAggServer.start called twice")
        return [schedule(.advertiseKeys, now: now)]
    }

    /// The deadline of the current phase.
    public var nextDeadline: ContinuousClock.Instant? { deadline }

    /// The clients whose masked input is in the running sum so far.
    public var contributors: Set<Int> { maskedSenders }

    public mutating func received(_ message: SecAggClientMessage, from client: Int, now: ContinuousClock.Instant) -> [SecAggServerAction] {
        do {
            try accept(message, from: client)
        } catch let error as SecAggError {
            return [.refuse(client: client, error)]
        } catch {
            return [.refuse(client: client, SecAggError(.invalidMessage, "message from client \(client): \(error)"))]
        }
        return everyoneAnswered ? closePhase(now: now) : []
    }

    /// A client left; the phase no longer waits for it.
    public mutating func disconnected(_ client: Int, now: ContinuousClock.Instant) -> [SecAggServerAction] {
        guard (0..<configuration.clientCount).contains(client), isRunning else { return [] }
        disconnected.insert(client)
        return everyoneAnswered ? closePhase(now: now) : []
    }

    /// Closes the current phase if its deadline has passed.
    public mutating func tick(now: ContinuousClock.Instant) -> [SecAggServerAction] {
        guard isRunning, let deadline, now >= deadline else { return [] }
        return closePhase(now: now)
    }

    /// Closes the masked-input phase now, as its deadline would: the coordinator's round stopped
    /// collecting (its target reached, or its deadline). A no-op in any other phase.
    public mutating func closeMaskedInput(now: ContinuousClock.Instant) -> [SecAggServerAction] {
        guard phase == .maskedInput, deadline != nil else { return [] }
        return closePhase(now: now)
    }

    private var isRunning: Bool { activePhase != nil && deadline != nil }

    private var activePhase: SecAggPhase? {
        switch phase {
        case .advertiseKeys: .advertiseKeys
        case .shareKeys: .shareKeys
        case .maskedInput: .maskedInput
        case .unmasking: .unmasking
        case .computingSum, .finished, .aborted: nil
        }
    }

    /// Those who may still answer in this phase, and those who have.
    private var everyoneAnswered: Bool {
        let (expected, answered): (Set<Int>, Set<Int>) = switch phase {
        case .advertiseKeys: (Set(0..<configuration.clientCount), Set(keys.keys))
        case .shareKeys: (Set(keys.keys), shareSenders)
        case .maskedInput: (shareSenders, maskedSenders)
        case .unmasking: (maskedSenders, unmaskResponders)
        case .computingSum, .finished, .aborted: ([], [])
        }
        return expected.subtracting(disconnected).isSubset(of: answered)
    }

    private mutating func accept(_ message: SecAggClientMessage, from client: Int) throws {
        guard let active = activePhase, deadline != nil else {
            throw SecAggError(.unexpectedMessage, "client \(client) sent a \(message.phase) message; the round is \(phase)")
        }
        guard (0..<configuration.clientCount).contains(client), message.client == client else {
            throw SecAggError(.invalidMessage, "the \(message.phase) message from client \(client) names client \(message.client); the round has clients 0..<\(configuration.clientCount)")
        }
        guard message.phase == active else {
            throw SecAggError(.unexpectedMessage, "client \(client) sent a \(message.phase) message during \(active)")
        }
        switch message {
        case .advertiseKeys(let advertised): try acceptKeys(advertised)
        case .shareKeys(_, let shares): try acceptShares(shares, from: client)
        case .maskedInput(_, let vector): try acceptMaskedInput(vector, from: client)
        case .unmask(_, let selfMask, let maskingKey): try acceptUnmask(selfMask: selfMask, maskingKey: maskingKey, from: client)
        }
    }

    private mutating func acceptKeys(_ advertised: AdvertisedKeys) throws {
        let client = advertised.client
        guard keys[client] == nil else { throw SecAggError(.unexpectedMessage, "client \(client) advertised its keys twice") }
        for (name, raw) in [("encryption", advertised.encryptionKey), ("masking", advertised.maskingKey)] where raw.count != 32 {
            throw SecAggError(.invalidMessage, "client \(client)'s \(name) key has \(raw.count) bytes; an X25519 key has 32")
        }
        keys[client] = advertised
    }

    private mutating func acceptShares(_ shares: [EncryptedShare], from client: Int) throws {
        guard keys[client] != nil, !shareSenders.contains(client) else {
            throw SecAggError(.unexpectedMessage, "client \(client) sent shares twice or without advertising keys")
        }
        let expected = Set(graph.neighbours(of: client)).intersection(keys.keys)
        let receivers = shares.map(\.to)
        guard Set(receivers) == expected, receivers.count == expected.count, shares.allSatisfy({ $0.from == client }) else {
            throw SecAggError(.invalidMessage, "client \(client) sent shares to \(receivers.sorted()); its neighbours that advertised keys are \(expected.sorted())")
        }
        for share in shares where share.sealed.count != ShareEnvelope.sealedBytes {
            throw SecAggError(.invalidMessage, "client \(client)'s share for client \(share.to) has \(share.sealed.count) bytes; expected \(ShareEnvelope.sealedBytes)")
        }
        shareSenders.insert(client)
        for share in shares { sharesFor[share.to, default: []].append(share) }
    }

    private mutating func acceptMaskedInput(_ vector: [UInt64], from client: Int) throws {
        guard shareSenders.contains(client), !maskedSenders.contains(client) else {
            throw SecAggError(.unexpectedMessage, "client \(client) sent a masked input twice or without sharing keys")
        }
        let layout = configuration.layout
        guard vector.count == layout.totalCount else {
            throw SecAggError(.invalidMessage, "client \(client)'s masked input has \(vector.count) elements; the layout has \(layout.totalCount)")
        }
        let mask = layout.mask
        if let bad = vector.firstIndex(where: { $0 & mask != $0 }) {
            throw SecAggError(.invalidMessage, "client \(client)'s masked input[\(bad)] is \(vector[bad]), outside the \(layout.bits)-bit ring")
        }
        maskedSenders.insert(client)
        if maskedSum.isEmpty { maskedSum = vector; return }
        maskedSum.withUnsafeMutableBufferPointer { sum in
            vector.withUnsafeBufferPointer { v in
                for i in 0..<sum.count { sum[i] = (sum[i] &+ v[i]) & mask }
            }
        }
    }

    private mutating func acceptUnmask(selfMask: [SecretShare], maskingKey: [SecretShare], from client: Int) throws {
        guard maskedSenders.contains(client), !unmaskResponders.contains(client) else {
            throw SecAggError(.unexpectedMessage, "client \(client) answered unmasking twice or without a masked input")
        }
        let request = unmaskRequest(for: client)
        guard selfMask.map(\.owner).sorted() == request.selfMaskOwners, maskingKey.map(\.owner).sorted() == request.maskingKeyOwners else {
            throw SecAggError(.invalidMessage, "client \(client) revealed shares of \(selfMask.map(\.owner).sorted()) and \(maskingKey.map(\.owner).sorted()); it was asked for \(request.selfMaskOwners) and \(request.maskingKeyOwners)")
        }
        for share in selfMask + maskingKey
        where share.holder != client || share.values.count != ShamirPolynomials.elementsPerShare || share.values.contains(where: { $0 >= MersenneField.modulus }) {
            throw SecAggError(.invalidMessage, "client \(client)'s share of client \(share.owner) is malformed (holder \(share.holder), \(share.values.count) elements)")
        }
        unmaskResponders.insert(client)
        for share in selfMask { selfMaskShares[share.owner, default: []].append(share) }
        for share in maskingKey { maskingKeyShares[share.owner, default: []].append(share) }
    }

    /// What client `v` is asked in unmasking: self-mask shares of its neighbours whose masked input
    /// arrived, masking-key shares of its neighbours that shared keys but sent no masked input.
    func unmaskRequest(for v: Int) -> (selfMaskOwners: [Int], maskingKeyOwners: [Int]) {
        let sharedWithV = graph.neighbours(of: v).filter { shareSenders.contains($0) }
        return (sharedWithV.filter { maskedSenders.contains($0) }, sharedWithV.filter { !maskedSenders.contains($0) })
    }

    private mutating func closePhase(now: ContinuousClock.Instant) -> [SecAggServerAction] {
        guard let closing = activePhase else { return [] }
        let left: Set<Int> = switch closing {
        case .advertiseKeys: Set(keys.keys)
        case .shareKeys: shareSenders
        case .maskedInput: maskedSenders
        case .unmasking: unmaskResponders
        }
        guard left.count >= configuration.minimumClients else {
            return abort(closing, SecAggError(
                .tooFewClients,
                "\(left.count) of \(configuration.clientCount) clients answered \(closing); the round needs at least \(configuration.minimumClients)"))
        }
        switch closing {
        case .advertiseKeys:
            var actions = left.sorted().map { u in
                SecAggServerAction.send(.shareKeys(neighbourKeys: graph.neighbours(of: u).compactMap { keys[$0] }), to: u)
            }
            actions.append(schedule(.shareKeys, now: now))
            return actions
        case .shareKeys:
            var actions = left.sorted().map { v in SecAggServerAction.send(.maskedInput(shares: sharesFor[v, default: []]), to: v) }
            sharesFor = [:]
            actions.append(schedule(.maskedInput, now: now))
            return actions
        case .maskedInput:
            var actions = left.sorted().map { v in
                let request = unmaskRequest(for: v)
                return SecAggServerAction.send(.unmask(selfMaskOwners: request.selfMaskOwners, maskingKeyOwners: request.maskingKeyOwners), to: v)
            }
            actions.append(schedule(.unmasking, now: now))
            return actions
        case .unmasking:
            phase = .computingSum
            deadline = nil
            let job = SecAggUnmaskingJob(
                configuration: configuration, graph: graph, maskedSum: maskedSum, contributors: maskedSenders.sorted(),
                droppedAfterSharing: shareSenders.subtracting(maskedSenders).sorted(), keys: keys,
                selfMaskShares: selfMaskShares, maskingKeyShares: maskingKeyShares)
            maskedSum = []
            selfMaskShares = [:]
            maskingKeyShares = [:]
            return [.unmask(job)]
        }
    }

    /// The shell ran the ``SecAggUnmaskingJob`` this machine asked for: the round finishes with its
    /// sum, or aborts in unmasking with its error.
    public mutating func unmaskingFinished(_ result: Result<SecAggSum, Error>, now: ContinuousClock.Instant) -> [SecAggServerAction] {
        guard phase == .computingSum else { return [] }
        switch result {
        case .success(let sum):
            phase = .finished
            return [.finished(sum)]
        case .failure(let error as SecAggError):
            return abort(.unmasking, error)
        case .failure(let error):
            return abort(.unmasking, SecAggError(.reconstructionMismatch, "unmasking failed: \(error)"))
        }
    }

    private mutating func schedule(_ next: SecAggPhase, now: ContinuousClock.Instant) -> SecAggServerAction {
        phase = switch next {
        case .advertiseKeys: .advertiseKeys
        case .shareKeys: .shareKeys
        case .maskedInput: .maskedInput
        case .unmasking: .unmasking
        }
        let at = now + configuration.deadlines[next]
        deadline = at
        return .wakeUp(at: at)
    }

    private mutating func abort(_ closing: SecAggPhase, _ error: SecAggError) -> [SecAggServerAction] {
        phase = .aborted
        deadline = nil
        maskedSum = []
        selfMaskShares = [:]
        maskingKeyShares = [:]
        return [.aborted(phase: closing, error)]
    }
}
