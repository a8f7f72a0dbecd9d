import Foundation
import TributaryAggregation
import TributaryNumerics

// Aggregation throughput and memory, on one core (OpenBLAS limited to one thread).
//
//   swift run -c release TributaryAggregationBench            # 100k and 10M parameters, RSS check
//   swift run -c release TributaryAggregationBench 1000000    # one size
//
// Throughput counts the float32 delta bytes folded per second, validation (finiteness, norm,
// Fisher ≥ 0) included, as the coordinator would run it. RSS is read from /proc/self/status.

BLAS.setThreadCount(1)

func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return .nan }
    return kb / 1024
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// A few distinct client buffers, reused under different client ids (so the bench measures
/// folding, not the generation of random numbers).
func makeBuffers(_ count: Int, parameters: Int, seed: UInt64) -> [[Float]] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in (0..<parameters).map { _ in generator.nextUnitFloat() * 0.02 - 0.01 } }
}

func throughput(rule: AggregationRule, parameters: Int, clients: Int) throws -> (gbPerSecond: Double, seconds: Double) {
    let layout = ParameterLayout([(name: "flat", shape: [parameters])])
    let deltas = makeBuffers(3, parameters: parameters, seed: 1)
    let fishers = makeBuffers(3, parameters: parameters, seed: 2).map { $0.map { abs($0) } }
    let policy = try UpdatePolicy(layout: layout, roundID: 1, baseVersion: 1, maxDeltaNorm: 1e6)
    var aggregator = try StreamingAggregator(policy: policy, rule: rule)
    // Warm up: touch the sums once.
    try aggregator.fold(ClientUpdate(clientID: "warm", roundID: 1, baseVersion: 1, layout: layout, delta: deltas[0], fisher: fishers[0], examples: 1))
    let start = now()
    for client in 0..<clients {
        try aggregator.fold(ClientUpdate(
            clientID: "c\(client)", roundID: 1, baseVersion: 1, layout: layout,
            delta: deltas[client % 3], fisher: rule.needsFisher ? fishers[client % 3] : nil, examples: 1 + client % 50))
    }
    let seconds = now() - start
    _ = try aggregator.aggregate()
    return (Double(clients * parameters * 4) / seconds / 1e9, seconds)
}

let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
print("OpenBLAS core \(BLAS.coreName), threads \(BLAS.threadCount)")
for parameters in sizes.isEmpty ? [100_000, 10_000_000] : sizes {
    let clients = max(20, min(2_000, 400_000_000 / (parameters * 4)))
    for (name, rule) in [("FedAvg", AggregationRule.fedAvg), ("EWC-weighted", .fisherWeighted())] {
        var best = 0.0, seconds = 0.0
        for _ in 0..<3 {
            let run = try throughput(rule: rule, parameters: parameters, clients: clients)
            if run.gbPerSecond > best { (best, seconds) = run }
        }
        let label = name.padding(toLength: 13, withPad: " ", startingAt: 0)
        print(label + String(format: "%9d params  %5d updates  %.3f s  %6.2f GB/s of float32 deltas (best of 3)",
                             parameters, clients, seconds, best))
    }
}

if sizes.isEmpty {
    // Memory: fold 1,000 updates of a 100k-parameter model; RSS must stay flat.
    let parameters = 100_000
    let layout = ParameterLayout([(name: "flat", shape: [parameters])])
    let delta = makeBuffers(1, parameters: parameters, seed: 3)[0]
    let fisher = delta.map { abs($0) }
    var aggregator = try StreamingAggregator(
        policy: try UpdatePolicy(layout: layout, roundID: 1, baseVersion: 1), rule: .fisherWeighted())
    var samples: [String] = []
    for client in 0..<1_000 {
        // A fresh copy per client, as if decoded from the wire, released after folding.
        var own = delta
        own[client % parameters] += 1e-3
        try aggregator.fold(ClientUpdate(clientID: "c\(client)", roundID: 1, baseVersion: 1, layout: layout, delta: own, fisher: fisher, examples: 10))
        if [0, 9, 99, 499, 999].contains(client) {
            samples.append(String(format: "%d: %.1f MB", client + 1, residentMegabytes()))
        }
    }
    print("RSS after folding N updates of \(parameters) params (model = \(parameters * 4 / 1000) kB): " + samples.joined(separator: ", "))
    print("accumulator floats held: \(aggregator.storageCount) (= 2 × model) after \(aggregator.acceptedCount) updates")
}
