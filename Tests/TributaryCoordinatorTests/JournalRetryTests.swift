import Foundation
import GRDB
import Testing
@testable import TributaryCoordinator
import TributaryRounds

/// Storage failures are provoked for real: a second SQLite connection holds the registry
/// database's write lock, so the coordinator's writes fail with SQLITE_BUSY after the registry's
/// busy timeout (10 s), as they would while another process holds it. (Tests run as root, so a
/// read-only file or directory would not stop a write.)
@Suite(.serialized) struct JournalRetryTests {
    /// Holds the write lock of the database at `path` on its own thread until `release()`.
    final class WriteLock: @unchecked Sendable {
        private let held = DispatchSemaphore(value: 0)
        private let released = DispatchSemaphore(value: 0)
        private let done = DispatchSemaphore(value: 0)

        init(path: String) throws {
            // Opening waits for the engine's own writes (a loaded machine makes them slow).
            var configuration = Configuration()
            configuration.busyMode = .timeout(60)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            Thread { [held, released, done] in
                try? queue.inDatabase { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    held.signal()
                    released.wait()
                    try db.execute(sql: "ROLLBACK")
                }
                done.signal()
            }.start()
            held.wait()
        }

        func release() {
            released.signal()
            done.wait()
        }
    }

    /// The round's state as the journal holds it, read beside the lock (WAL readers do not wait).
    func journaledState(_ world: TestWorld, round: UInt64) throws -> String? {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(60)
        let reader = try DatabaseQueue(path: world.directory + "/registry/registry.sqlite", configuration: configuration)
        return try reader.read { try String.fetchOne($0, sql: "SELECT state FROM rounds WHERE id = ?", arguments: [Int64(round)]) }
    }

    @Test(.timeLimit(.minutes(5)))
    func aRoundThatCouldNotOpenOrBeJournaledAbandonedIsRetriedUntilTheJournalIsTrue() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        var configuration = try world.configuration(target: 2, trigger: .manual, timeout: .seconds(1))
        configuration.rounds.retryAfter = .milliseconds(200)
        let log = EventLog()
        let engine = try await world.engine(configuration, log: log)
        var a = try await FakeClient.connect("a", to: engine)
        _ = try await FakeClient.connect("b", to: engine)
        let database = world.directory + "/registry/registry.sqlite"

        // Opening fails: the operator hears why, and the machine does not keep the round collecting.
        var lock = try WriteLock(path: database)
        await #expect { _ = try await engine.requestRound() } throws: { "\($0)".contains("could not start") && "\($0)".contains("locked") }
        lock.release()
        #expect(log.lines.contains { $0.hasPrefix("round 1 abandoned: could not start") }, "\(log.lines)")
        let round = try await engine.requestRound()
        #expect(round == 2)
        #expect(await a.nextOffer()?.roundID == 2)

        // The abandon at the deadline cannot be written: the journal still says collecting ...
        lock = try WriteLock(path: database)
        #expect(try await eventually { log.lines.contains { $0.hasPrefix("round 2 abandoned") } }, "\(log.lines)")
        #expect(try journaledState(world, round: 2) == "collecting")
        // ... until the storage recovers: the pending write is retried, with no restart.
        lock.release()
        #expect(try await eventually(within: .seconds(60)) { try journaledState(world, round: 2) == "abandoned" })
        #expect(await engine.status().roundsEnded == 2)
    }
}
