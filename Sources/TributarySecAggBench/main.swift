import Crypto
import Foundation
import TributaryNumerics
import TributarySecureAggregation

// Secure aggregation cost, client and server, per phase, against a plaintext sum of the same values.
//
//   swift build -c release --product TributarySecAggBench && .build/release/TributarySecAggBench
//   .build/release/TributarySecAggBench --clients 100,1000 --parameters 100000 --drop 0.1 --design-dropout 0.1
//
// Every client runs in this process, one after another, on one thread: the CPU time of each
// client's step and of each server step is measured on its own with CLOCK_THREAD_CPUTIME_ID. The
// masked vector is the Fisher-weighted layout (Σ nFΔ, Σ nF, Σ nΔ: 3 × parameters elements, plus the
// count) in Z_2^64. Parameters from SecAggConfiguration.recommended for `--design-dropout` (default
// 0.1); a fraction `--drop` (default 0.1) of the clients drops after sharing keys, so the server
// also rebuilds their masking keys and removes their pairwise masks.

func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func status(_ key: String) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return .nan }
    return kb / 1024
}

@discardableResult
func timed<T>(_ total: inout Double, _ body: () throws -> T) rethrows -> T {
    let start = threadCPUSeconds()
    defer { total += threadCPUSeconds() - start }
    return try body()
}

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
let clientCounts = option("--clients").map { $0.split(separator: ",").compactMap { Int($0) } } ?? [100, 1_000]
let parameters = option("--parameters").flatMap { Int($0) } ?? 100_000
let dropFraction = option("--drop").flatMap { Double($0) } ?? 0.1
let designDropout = option("--design-dropout").flatMap { Double($0) } ?? 0.1
let unmaskWorkers = option("--workers").flatMap { Int($0) } ?? 2
let bounds = FisherWeightedBounds()

/// A client's Update (seeded by its index), as the four segments it masks.
func makeInput(_ client: Int) throws -> [[Float]] {
    var generator = SeededGenerator(seed: UInt64(client) &+ 1_000)
    let delta = (0..<parameters).map { _ in (generator.nextUnitFloat() - 0.5) * 0.02 }
    let fisher = (0..<parameters).map { _ in generator.nextUnitFloat() * 2 }
    return try FisherWeightedInput.segments(delta: delta, fisher: fisher, examples: 20 + client % 200, bounds: bounds)
}

struct PhaseCost {
    var clientSeconds = 0.0
    var clientMax = 0.0
    var clients = 0
    var serverSeconds = 0.0
    var rssAfter = 0.0
    var upBytes = 0
    var downBytes = 0

    mutating func client(_ seconds: Double) {
        clientSeconds += seconds
        clientMax = max(clientMax, seconds)
        clients += 1
    }
}

func bytes(of message: SecAggClientMessage) -> Int {
    switch message {
    case .advertiseKeys: 4 + 64
    case .shareKeys(_, let shares): 4 + shares.reduce(0) { $0 + 8 + $1.sealed.count }
    case .maskedInput(_, let vector): 4 + 8 * vector.count
    case .unmask(_, let a, let b): 4 + (a.count + b.count) * (8 + 8 * 5)
    }
}

func bytes(of message: SecAggServerMessage) -> Int {
    switch message {
    case .shareKeys(let keys): keys.count * (4 + 64)
    case .maskedInput(let shares): shares.reduce(0) { $0 + 8 + $1.sealed.count }
    case .unmask(let a, let b): 4 * (a.count + b.count)
    }
}

func run(clients n: Int) throws {
    let layout = try MaskLayout.fisherWeighted(parameterCount: parameters, bounds: bounds, maxClients: n)
    let configuration = try SecAggConfiguration.recommended(roundID: 1, clientCount: n, dropoutRate: designDropout, graphSeed: 42, layout: layout)
    var generator = SeededGenerator(seed: 7)
    let dropped = Set((0..<n).shuffled(using: &generator).prefix(Int(Double(n) * dropFraction)))
    print("\n\(n) clients, \(parameters) parameters (\(layout.totalCount) masked elements, 64-bit ring), k = \(configuration.neighbourCount) neighbours (designed for \(Int(designDropout * 100)) % dropout), threshold \(configuration.threshold), \(dropped.count) drop after sharing keys")

    var costs = [SecAggPhase: PhaseCost]()
    for phase in SecAggPhase.allCases { costs[phase] = PhaseCost() }
    var server = SecAggServer(configuration: configuration)
    var clients: [SecAggClient] = []
    let now = ContinuousClock.now
    var pending: [SecAggServerAction] = server.start(now: now)
    var outcome: SecAggServerAction?
    var unmaskingJob: SecAggUnmaskingJob?

    // Phase 1: key generation (and the Shamir coefficients) plus the advertisement.
    for index in 0..<n {
        var seconds = 0.0
        let message = try timed(&seconds) { () throws -> SecAggClientMessage in
            clients.append(try SecAggClient(configuration: configuration, index: index, input: nil, randomness: &generator))
            return try clients[index].start()
        }
        costs[.advertiseKeys]!.client(seconds)
        costs[.advertiseKeys]!.upBytes += bytes(of: message)
        pending += timed(&costs[.advertiseKeys]!.serverSeconds) { server.received(message, from: index, now: now) }
    }
    costs[.advertiseKeys]!.rssAfter = status("VmRSS")

    var phase = SecAggPhase.shareKeys
    while outcome == nil {
        var next: [SecAggServerAction] = []
        for action in pending {
            switch action {
            case .send(let message, let to):
                costs[phase]!.downBytes += bytes(of: message)
                if dropped.contains(to), phase != .shareKeys { continue }
                if phase == .maskedInput { try clients[to].provideInput(makeInput(to)) }
                var seconds = 0.0
                let reply = try timed(&seconds) { try clients[to].receive(message) }
                costs[phase]!.client(seconds)
                costs[phase]!.upBytes += bytes(of: reply)
                next += timed(&costs[phase]!.serverSeconds) { server.received(reply, from: to, now: now) }
            case .unmask(let job):
                // The round's heavy part, which the coordinator's shell would run off its actor (here on one thread).
                unmaskingJob = job
                let result = timed(&costs[.unmasking]!.serverSeconds) { Result { try job.run() } }
                next += server.unmaskingFinished(result, now: now)
            case .finished, .aborted: outcome = action
            case .refuse(let client, let error): print("refused \(client): \(error)")
            case .wakeUp: break
            }
        }
        if outcome != nil { break }
        if !next.contains(where: { if case .send = $0 { true } else if case .unmask = $0 { true } else if case .finished = $0 { true } else { false } }) {
            // Someone dropped: the phase closes at its deadline.
            next += timed(&costs[phase]!.serverSeconds) { server.tick(now: server.nextDeadline!) }
        }
        costs[phase]!.rssAfter = status("VmRSS")
        if next.contains(where: { if case .send = $0 { true } else { false } }) {
            phase = SecAggPhase.allCases[SecAggPhase.allCases.firstIndex(of: phase)! + 1]
        }
        pending = next
        if pending.isEmpty { break }
    }
    guard case .finished(let sum)? = outcome else { print("round did not finish: \(String(describing: outcome))"); return }

    // Plaintext: the same clients' values summed in float32 (what the coordinator folds today).
    var plainSeconds = 0.0
    var plain = [Float](repeating: 0, count: layout.totalCount)
    for client in sum.contributors {
        let values = try makeInput(client).flatMap { $0 }
        timed(&plainSeconds) { for i in 0..<values.count { plain[i] += values[i] } }
    }
    let decoded = sum.decoded(with: layout).flatMap { $0 }
    let worst = zip(decoded, plain).map { abs($0 - Double($1)) / max(1, abs(Double($1))) }.max() ?? 0

    print("phase          client CPU mean / max (ms)   server CPU (ms)   up / down per client (KB)   RSS after (MB)")
    var clientTotal = 0.0, serverTotal = 0.0
    for phase in SecAggPhase.allCases {
        let c = costs[phase]!
        let mean = c.clients > 0 ? c.clientSeconds / Double(c.clients) : 0
        clientTotal += mean
        serverTotal += c.serverSeconds
        print(phase.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: " %12.2f / %8.2f %19.1f %14.1f / %8.1f %18.0f",
                     mean * 1e3, c.clientMax * 1e3, c.serverSeconds * 1e3,
                     Double(c.upBytes) / Double(max(1, c.clients)) / 1024, Double(c.downBytes) / Double(n) / 1024, c.rssAfter))
    }
    print(String(format: "round: client CPU %.1f ms (mean), server CPU %.1f ms; plaintext float32 sum of the same %d Updates: server %.1f ms, upload %.1f KB each (secure: %.1f KB)",
                 clientTotal * 1e3, serverTotal * 1e3, sum.contributors.count, plainSeconds * 1e3,
                 Double(layout.totalCount * 4) / 1024, Double(costs[.maskedInput]!.upBytes + costs[.shareKeys]!.upBytes + costs[.advertiseKeys]!.upBytes + costs[.unmasking]!.upBytes) / Double(n) / 1024))
    if let job = unmaskingJob {
        // Wall time of the unmasking job on 1 and on `--workers` threads (other processes share the cores).
        let clock = ContinuousClock()
        let one = clock.measure { _ = try? job.run(workers: 1) }
        let many = clock.measure { _ = try? job.run(workers: unmaskWorkers) }
        print("unmasking job wall time: \(one) on 1 thread, \(many) on \(unmaskWorkers)")
    }
    print(String(format: "server state: running sum %.1f MB, shares in transit %.1f MB; peak RSS %.0f MB; largest error vs float32 plaintext %.2e (relative)",
                 Double(layout.totalCount * 8) / 1e6, Double(n * configuration.neighbourCount * 124) / 1e6, status("VmHWM"), worst))
}

/// The PRG alone: one mask over the layout's elements, best of 20.
func prgThroughput(elements: Int) {
    var vector = [UInt64](repeating: 0, count: elements)
    var best = Double.infinity
    for round in 0..<20 {
        let seed = SymmetricKey(data: [UInt8](repeating: UInt8(round), count: 32))
        let start = threadCPUSeconds()
        MaskExpansion.apply(seed: seed, to: &vector, subtract: false, bits: 64)
        best = min(best, threadCPUSeconds() - start)
    }
    print(String(format: "PRG: one mask of %d elements (64-bit) in %.2f ms, %.2f GB/s of keystream (best of 20)",
                 elements, best * 1e3, Double(elements * 8) / best / 1e9))
}

prgThroughput(elements: 3 * parameters + 1)
for n in clientCounts { try run(clients: n) }
