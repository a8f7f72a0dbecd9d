import Testing
import TributaryNumerics
@testable import TributarySecureAggregation

/// When a simulated client stops answering: after sending the named phase's message.
enum DropPoint: Int, Comparable {
    case beforeAdvertising, afterAdvertising, afterSharing, afterMaskedInput
    static func < (a: DropPoint, b: DropPoint) -> Bool { a.rawValue < b.rawValue }
}

/// A server and its clients wired together in memory, with a test clock: messages are delivered
/// in order, dropped clients fall silent, and the clock jumps to each deadline when nobody has
/// anything left to say.
struct RoundHarness {
    var server: SecAggServer
    var clients: [SecAggClient]
    var drops: [Int: DropPoint]
    var now: ContinuousClock.Instant
    /// Clients that left by closing their connection (the server is told), not by going silent.
    var announcedDrops: Set<Int> = []
    /// Every message a client sent, by client.
    var sent: [Int: [SecAggClientMessage]] = [:]
    var refusals: [Int: SecAggError] = [:]
    var serverRefusals: [(client: Int, error: SecAggError)] = []
    var outcome: SecAggServerAction?
    /// The unmasking job the server handed out, and the threads it runs on.
    var unmaskingJob: SecAggUnmaskingJob?
    var unmaskWorkers = 1
    /// Rewrites a server message before it reaches its client (a dishonest server).
    var tamper: (SecAggServerMessage, Int) -> SecAggServerMessage = { message, _ in message }

    init(configuration: SecAggConfiguration, inputs: [[[Float]]], drops: [Int: DropPoint] = [:], seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        server = SecAggServer(configuration: configuration)
        clients = try inputs.indices.map { try SecAggClient(configuration: configuration, index: $0, input: inputs[$0], randomness: &generator) }
        self.drops = drops
        now = ContinuousClock.now
    }

    /// Runs the round to its end and returns the server's last action (finished or aborted).
    mutating func run() -> SecAggServerAction? {
        var queue = server.start(now: now)
        for index in clients.indices where drops[index] != .beforeAdvertising {
            queue += deliver(try? clients[index].start(), from: index)
        }
        while outcome == nil {
            if queue.isEmpty {
                guard let deadline = server.nextDeadline else { break }
                now = deadline
                queue = server.tick(now: now)
                continue
            }
            let action = queue.removeFirst()
            switch action {
            case .send(let message, let to):
                let stage: DropPoint = switch message {
                case .shareKeys: .afterAdvertising
                case .maskedInput: .afterSharing
                case .unmask: .afterMaskedInput
                }
                if drops[to].map({ $0 <= stage }) ?? false {
                    if announcedDrops.remove(to) != nil { queue += server.disconnected(to, now: now) }
                    continue
                }
                do {
                    queue += deliver(try clients[to].receive(tamper(message, to)), from: to)
                } catch let error as SecAggError {
                    refusals[to] = error
                } catch {
                    Issue.record("client \(to) threw \(error)")
                }
            case .refuse(let client, let error):
                serverRefusals.append((client, error))
            case .unmask(let job):
                unmaskingJob = job
                queue += server.unmaskingFinished(Result { [unmaskWorkers] in try job.run(workers: unmaskWorkers) }, now: now)
            case .finished, .aborted:
                outcome = action
            case .wakeUp:
                break
            }
        }
        return outcome
    }

    private mutating func deliver(_ message: SecAggClientMessage?, from client: Int) -> [SecAggServerAction] {
        guard let message else { return [] }
        sent[client, default: []].append(message)
        return server.received(message, from: client, now: now)
    }

    var sum: SecAggSum? {
        if case .finished(let sum) = outcome { return sum }
        return nil
    }

    var abort: (phase: SecAggPhase, error: SecAggError)? {
        if case .aborted(let phase, let error) = outcome { return (phase, error) }
        return nil
    }
}

/// Seeded inputs of `clients` × one segment of `count` values in ±`magnitude`.
func randomInputs(clients: Int, count: Int, magnitude: Float, seed: UInt64) -> [[[Float]]] {
    var generator = SeededGenerator(seed: seed)
    return (0..<clients).map { _ in [(0..<count).map { _ in (generator.nextUnitFloat() * 2 - 1) * magnitude }] }
}

/// The exact ring sum of the given clients' encodings.
func ringSum(_ layout: MaskLayout, _ inputs: [[[Float]]], of clients: [Int]) throws -> [UInt64] {
    var sum = [UInt64](repeating: 0, count: layout.totalCount)
    for client in clients {
        for (i, e) in try layout.encode(inputs[client]).enumerated() { sum[i] = (sum[i] &+ e) & layout.mask }
    }
    return sum
}
