import Testing
import TributaryNumerics
@testable import TributarySecureAggregation

@Suite("Secure aggregation rounds")
struct SecAggRoundTests {
    static func layout(count: Int, clip: Double = 1, clients: Int) throws -> MaskLayout {
        try MaskLayout(segments: [MaskSegment(name: "delta", count: count, encoding: FixedPointEncoding(bits: 64, clip: clip, maxSummands: clients))])
    }

    static func plainSum(_ inputs: [[[Float]]], of clients: [Int]) -> [Double] {
        (0..<inputs[0][0].count).map { j in clients.reduce(0.0) { $0 + Double(inputs[$1][0][j]) } }
    }

    /// Checks the unmasked sum against the encodings' ring sum (exact) and the plaintext sum (within the bound).
    static func expectSum(_ harness: RoundHarness, inputs: [[[Float]]], of clients: [Int]) throws {
        let layout = harness.server.configuration.layout
        let sum = try #require(harness.sum, "the round ended with \(String(describing: harness.outcome))")
        #expect(sum.contributors == clients)
        #expect(sum.ring == (try ringSum(layout, inputs, of: clients)))
        let decoded = sum.decoded(with: layout)[0]
        let plain = plainSum(inputs, of: clients)
        let bound = layout.segments[0].encoding.sumErrorBound(summands: clients.count)
        let worst = zip(decoded, plain).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= bound, "largest error \(worst) over the bound \(bound)")
    }

    @Test("complete graph, no dropout: the unmasked sum equals the plaintext sum within the fixed-point bound")
    func completeGraphSum() throws {
        let n = 10
        let configuration = try SecAggConfiguration(
            roundID: 7, clientCount: n, neighbourCount: n - 1, threshold: 6, minimumClients: 6, graphSeed: 11,
            layout: Self.layout(count: 1_000, clients: n))
        let inputs = randomInputs(clients: n, count: 1_000, magnitude: 0.9, seed: 1)
        var harness = try RoundHarness(configuration: configuration, inputs: inputs, seed: 2)
        _ = harness.run()
        try Self.expectSum(harness, inputs: inputs, of: Array(0..<n))
        #expect(harness.refusals.isEmpty && harness.serverRefusals.isEmpty)
    }

    @Test("SecAgg+ graph at 60 clients: each client masks against k < n − 1 neighbours and the sum is exact")
    func sparseGraphSum() throws {
        let n = 60
        let configuration = try SecAggConfiguration.recommended(
            roundID: 3, clientCount: n, dropoutRate: 0.1, graphSeed: 5, layout: Self.layout(count: 500, clients: n))
        #expect(configuration.neighbourCount < n - 1)
        let inputs = randomInputs(clients: n, count: 500, magnitude: 1, seed: 3)
        var harness = try RoundHarness(configuration: configuration, inputs: inputs, seed: 4)
        _ = harness.run()
        try Self.expectSum(harness, inputs: inputs, of: Array(0..<n))
        // Each client sent shares to its neighbours only.
        for case .shareKeys(let client, let shares)? in harness.sent.values.map({ $0.dropFirst().first }) {
            #expect(shares.count == configuration.neighbourCount, "client \(client) sent \(shares.count) shares")
        }
    }

    /// 30 % of 60 clients drop at `point`; half of them close their connection (the server is
    /// told), half go silent until the deadline.
    @Test(
        "30 % of clients drop after sharing keys (the survivors' sum) or after sending their masked input (every input that arrived): exact",
        arguments: [DropPoint.afterSharing, .afterMaskedInput])
    func thirtyPercentDrop(at point: DropPoint) throws {
        // SecAgg+: 40 neighbours of 59, any 21 of them rebuild a secret.
        let n = 60
        let configuration = try SecAggConfiguration(
            roundID: 9, clientCount: n, neighbourCount: 40, threshold: 21, minimumClients: 21, graphSeed: UInt64(point.rawValue),
            layout: Self.layout(count: 300, clients: n))
        let inputs = randomInputs(clients: n, count: 300, magnitude: 1, seed: 5)
        var order = SeededGenerator(seed: 6)
        let dropped = Set((0..<n).shuffled(using: &order).prefix(18))
        var harness = try RoundHarness(
            configuration: configuration, inputs: inputs, drops: Dictionary(uniqueKeysWithValues: dropped.map { ($0, point) }), seed: 7)
        harness.announcedDrops = Set(dropped.sorted().prefix(9))
        harness.unmaskWorkers = 3
        _ = harness.run()
        let inSum = point == .afterMaskedInput ? Array(0..<n) : (0..<n).filter { !dropped.contains($0) }
        try Self.expectSum(harness, inputs: inputs, of: inSum)
        #expect(harness.sum?.droppedAfterSharing == (point == .afterSharing ? dropped.sorted() : []))
        // Unmasking on 3 threads gives what it gives on one.
        #expect(try harness.unmaskingJob?.run(workers: 1) == harness.sum)
    }

    @Test("clients dropping in every phase together: the survivors' sum, exactly")
    func dropsInEveryPhase() throws {
        let n = 30
        let configuration = try SecAggConfiguration(
            roundID: 4, clientCount: n, neighbourCount: 20, threshold: 11, minimumClients: 11, graphSeed: 2,
            layout: Self.layout(count: 200, clients: n))
        let inputs = randomInputs(clients: n, count: 200, magnitude: 1, seed: 12)
        let drops: [Int: DropPoint] = [0: .beforeAdvertising, 5: .afterAdvertising, 11: .afterSharing, 17: .afterSharing, 23: .afterMaskedInput]
        var harness = try RoundHarness(configuration: configuration, inputs: inputs, drops: drops, seed: 13)
        _ = harness.run()
        try Self.expectSum(harness, inputs: inputs, of: (0..<n).filter { ![0, 5, 11, 17].contains($0) })
    }

    @Test("dropping below the minimum aborts the round with tooFewClients, naming the phase and the counts")
    func belowMinimumAborts() throws {
        let n = 10
        let configuration = try SecAggConfiguration(
            roundID: 1, clientCount: n, neighbourCount: 9, threshold: 6, minimumClients: 7, graphSeed: 1,
            layout: Self.layout(count: 50, clients: n))
        let inputs = randomInputs(clients: n, count: 50, magnitude: 1, seed: 14)
        var harness = try RoundHarness(
            configuration: configuration, inputs: inputs, drops: [1: .afterSharing, 2: .afterSharing, 3: .afterSharing, 4: .afterSharing], seed: 15)
        _ = harness.run()
        let abort = try #require(harness.abort)
        #expect(abort.phase == .maskedInput)
        #expect(abort.error.code == .tooFewClients)
        #expect(abort.error.description == "6 of 10 clients answered maskedInput; the round needs at least 7 (code tooFewClients)")
        #expect(harness.server.phase == .aborted)
    }

    @Test("a dropped client whose masking-key shares fall below the threshold aborts with sharesBelowThreshold")
    func sharesBelowThresholdAborts() throws {
        let n = 12
        // Client 0's 4 neighbours; it needs 3 of them to rebuild its masking key.
        let configuration = try SecAggConfiguration(
            roundID: 2, clientCount: n, neighbourCount: 4, threshold: 3, minimumClients: 3, graphSeed: 21,
            layout: Self.layout(count: 20, clients: n))
        let graph = NeighbourGraph(clientCount: n, degree: 4, seed: 21)
        let neighbours = graph.neighbours(of: 0)
        // Client 0 drops before its masked input; two of its neighbours drop after theirs, so only 2 can reveal its key.
        var drops: [Int: DropPoint] = [0: .afterSharing]
        for v in neighbours.prefix(2) { drops[v] = .afterMaskedInput }
        let inputs = randomInputs(clients: n, count: 20, magnitude: 1, seed: 16)
        var harness = try RoundHarness(configuration: configuration, inputs: inputs, drops: drops, seed: 17)
        _ = harness.run()
        let abort = try #require(harness.abort)
        #expect(abort.phase == .unmasking)
        #expect(abort.error.code == .sharesBelowThreshold)
        #expect(abort.error.reason.contains("revealed shares; rebuilding it needs the threshold 3"), "\(abort.error.reason)")
    }

    @Test("a phase waits for its deadline: a tick before it changes nothing, a tick at it closes the phase")
    func deadlines() throws {
        let n = 4
        let configuration = try SecAggConfiguration(
            roundID: 5, clientCount: n, neighbourCount: 3, threshold: 2, minimumClients: 2, graphSeed: 3,
            layout: Self.layout(count: 4, clients: n), deadlines: SecAggDeadlines(advertiseKeys: .seconds(10)))
        var generator = SeededGenerator(seed: 18)
        var server = SecAggServer(configuration: configuration)
        let start = ContinuousClock.now
        #expect(server.start(now: start) == [.wakeUp(at: start + .seconds(10))])
        for index in 0..<3 {
            var client = try SecAggClient(configuration: configuration, index: index, input: [[0, 0, 0, 0]], randomness: &generator)
            #expect(server.received(try client.start(), from: index, now: start).isEmpty)
        }
        #expect(server.tick(now: start + .seconds(9)).isEmpty)
        #expect(server.phase == .advertiseKeys)
        let closed = server.tick(now: start + .seconds(10))
        #expect(closed.filter { if case .send = $0 { true } else { false } }.count == 3)
        #expect(closed.last == .wakeUp(at: start + .seconds(10) + configuration.deadlines.shareKeys))
        #expect(server.phase == .shareKeys)
    }
}
