import Testing
import TributaryNumerics
@testable import TributarySecureAggregation

@Suite("A client's input")
struct SecAggClientInputTests {
    @Test("a client shares keys before it has its input; asked for its masked input too early it says so, and answers once given it")
    func inputAfterSharing() throws {
        let n = 3
        let configuration = try SecAggConfiguration(
            roundID: 6, clientCount: n, neighbourCount: 2, threshold: 2, minimumClients: 2, graphSeed: 1,
            layout: SecAggRoundTests.layout(count: 8, clients: n))
        let inputs = randomInputs(clients: n, count: 8, magnitude: 1, seed: 51)
        var generator = SeededGenerator(seed: 50)
        var clients = try (0..<n).map { try SecAggClient(configuration: configuration, index: $0, input: nil, randomness: &generator) }
        var server = SecAggServer(configuration: configuration)
        let now = ContinuousClock.now
        var queue = server.start(now: now)
        for i in 0..<n { queue += server.received(try clients[i].start(), from: i, now: now) }
        var early: [Int: SecAggError] = [:]
        var sum: SecAggSum?
        while !queue.isEmpty {
            switch queue.removeFirst() {
            case .send(let message, let to):
                let reply: SecAggClientMessage
                do {
                    reply = try clients[to].receive(message)
                } catch let error as SecAggError where error.code == .invalidInput {
                    early[to] = error
                    try clients[to].provideInput(inputs[to])
                    reply = try clients[to].receive(message)
                }
                queue += server.received(reply, from: to, now: now)
            case .unmask(let job):
                queue += server.unmaskingFinished(Result { try job.run() }, now: now)
            case .finished(let result):
                sum = result
            default:
                break
            }
        }
        #expect(early.keys.sorted() == [0, 1, 2])
        #expect(early[1]?.reason == "client 1 was asked for its masked input before it was given its input")
        #expect(sum?.ring == (try ringSum(configuration.layout, inputs, of: [0, 1, 2])))
        // Once its masked input is sent, a client takes no new input.
        let late = #expect(throws: SecAggError.self) { try clients[0].provideInput(inputs[0]) }
        #expect(late?.code == .invalidInput)
    }
}
