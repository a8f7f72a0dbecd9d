import Foundation
import GRDB
import Testing
import TributaryRegistry

/// Version numbers and round ids are UInt64 in the registry's API; SQLite holds Int64. Values that
/// do not fit either way are refused with an error naming them, never trapped on.
@Suite struct StoredNumberTests {
    static let tooLarge = UInt64(Int64.max) + 1

    @Test func aVersionNumberOverInt64MaxNamesNoVersion() throws {
        let registry = try RegistryFixtures.registry()
        try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
        try registry.promote(1)
        for call in [{ _ = try registry.show(Self.tooLarge) }, { _ = try registry.promote(Self.tooLarge) },
                     { _ = try registry.rollback(to: Self.tooLarge) }, { _ = try registry.load(UInt64.max) }] {
            #expect(throws: RegistryError.self) { try call() }
            do { try call() } catch let error as RegistryError {
                #expect(error.code == .versionNotFound && error.reason.contains("does not exist"))
                #expect(error.reason.contains("\(Self.tooLarge)") || error.reason.contains("\(UInt64.max)"))
            }
        }
        #expect { try registry.register(candidate: RegistryFixtures.candidate(seed: 2, parent: Self.tooLarge)) } throws: {
            ($0 as? RegistryError)?.code == .versionNotFound && "\($0)".contains("version \(Self.tooLarge)")
        }
    }

    @Test func aRoundIDOverInt64MaxIsRefusedNamingIt() throws {
        let registry = try RegistryFixtures.registry()
        #expect { try registry.openRound(id: Self.tooLarge, baseVersion: nil, selected: [], deadline: Date()) } throws: {
            ($0 as? RegistryError)?.code == .invalidRound && "\($0)".contains("round id \(Self.tooLarge)")
        }
        #expect { try registry.round(UInt64.max) } throws: {
            ($0 as? RegistryError)?.code == .roundNotFound && "\($0)".contains("round \(UInt64.max)")
        }
        #expect { try registry.register(candidate: RegistryFixtures.candidate(seed: 1, round: Self.tooLarge)) } throws: {
            ($0 as? RegistryError)?.code == .roundNotFound && "\($0)".contains("round \(Self.tooLarge)")
        }
    }

    @Test func theLargestStoredNumbersComeBackAsTheyWent() throws {
        let registry = try RegistryFixtures.registry()
        try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
        let largest = UInt64(Int64.max)
        let opened = try registry.openRound(id: largest, baseVersion: 1, selected: ["a"], deadline: Date() + 60)
        #expect(opened.id == largest && opened.baseVersion == 1)
        #expect(try registry.lastRoundID() == largest)
    }

    @Test func aNegativeNumberInTheDatabaseIsADamagedRowNamedWithItsValue() throws {
        let directory = RegistryFixtures.temporaryDirectory()
        do {
            let registry = try RegistryFixtures.registry(directory)
            try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false  // the damage a foreign key would refuse
        let database = try DatabaseQueue(path: directory + "/registry.sqlite", configuration: configuration)
        try database.write { try $0.execute(sql: "UPDATE versions SET parent = -5 WHERE number = 1") }
        let registry = try RegistryFixtures.registry(directory)
        #expect { try registry.show(1) } throws: {
            ($0 as? RegistryError)?.code == .database && "\($0)".contains("version 1: parent is -5")
        }
    }
}
