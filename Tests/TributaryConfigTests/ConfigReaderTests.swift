import Testing
@testable import TributaryConfig

@Suite struct ConfigReaderTests {
    let yaml = """
        # a comment
        listen: 127.0.0.1:7443
        rounds:
          target_updates: 10   # trailing comment
          over_selection: 1.3
          collect_timeout: 90s
          trigger: ready
          enabled: yes
        peers: [a, b]
        empty:
        """

    @Test func readsTypedValuesFromSections() throws {
        let reader = try ConfigReader(yaml: yaml, source: "c.yaml")
        #expect(try reader.string("listen") == "127.0.0.1:7443")
        let rounds = reader.section("rounds")
        #expect(try rounds.int("target_updates", default: 1, in: 1...100) == 10)
        #expect(try rounds.double("over_selection", default: 1, in: 1...10) == 1.3)
        #expect(try rounds.duration("collect_timeout", default: .seconds(1), in: .seconds(1) ... .seconds(3600)) == .seconds(90))
        #expect(try rounds.choice("trigger", from: ["ready", "schedule", "manual"], default: "manual") == "ready")
        #expect(try rounds.bool("enabled", default: false))
        #expect(try rounds.int("quorum", default: 7, in: 1...100) == 7)
        #expect(try reader.strings("peers") == ["a", "b"])
        #expect(try reader.string("empty", default: "d") == "d")
        try reader.finish()
    }

    @Test func overridesReplaceFileValues() throws {
        let reader = try ConfigReader(yaml: yaml, source: "c.yaml", overrides: ["rounds.target_updates=12", "seed = 5"])
        #expect(try reader.section("rounds").int("target_updates", default: 1, in: 1...100) == 12)
        #expect(try reader.int("seed", default: 1, in: 0...100) == 5)
    }

    @Test func badValueNamesKeyValueAndLine() throws {
        let reader = try ConfigReader(yaml: yaml, source: "c.yaml", overrides: [])
        let error = #expect(throws: ConfigError.self) {
            try reader.section("rounds").int("over_selection", default: 1, in: 1...100)
        }
        #expect(error?.description == "c.yaml:5: rounds.over_selection is \"1.3\"; must be a whole number in 1...100")
        let range = #expect(throws: ConfigError.self) {
            try reader.section("rounds").int("target_updates", default: 1, in: 1...5)
        }
        #expect(range?.key == "rounds.target_updates")
        #expect(range?.value == "10")
        let choice = #expect(throws: ConfigError.self) {
            try reader.section("rounds").choice("trigger", from: ["schedule", "manual"], default: "manual")
        }
        #expect(choice?.description.contains("must be one of schedule, manual") == true)
    }

    @Test func overrideErrorsNameTheFlag() throws {
        let reader = try ConfigReader(yaml: yaml, source: "c.yaml", overrides: ["rounds.collect_timeout=soon"])
        let error = #expect(throws: ConfigError.self) {
            try reader.section("rounds").duration("collect_timeout", default: .seconds(1), in: .seconds(1) ... .seconds(60))
        }
        #expect(error?.source == "--set")
        #expect(error?.value == "soon")
        #expect(throws: ConfigError.self) { try ConfigReader(yaml: yaml, source: "c.yaml", overrides: ["novalue"]) }
    }

    @Test func unknownKeyIsReportedWithSuggestion() throws {
        let reader = try ConfigReader(yaml: "rounds:\n  target_update: 3\n", source: "c.yaml")
        _ = try reader.section("rounds").int("target_updates", default: 1, in: 1...100)
        let error = #expect(throws: ConfigError.self) { try reader.finish() }
        #expect(error?.description == "c.yaml:2: rounds.target_update: unknown key; did you mean rounds.target_updates?")
    }

    @Test func malformedDocumentsAreRefused() throws {
        let notYAML = #expect(throws: ConfigError.self) { try ConfigReader(yaml: "a: [1, 2\n", source: "bad.yaml") }
        #expect(notYAML?.description.hasPrefix("bad.yaml:") == true)
        #expect(notYAML?.problem.hasPrefix("not valid YAML") == true)
        #expect(notYAML?.line != nil)
        let list = #expect(throws: ConfigError.self) { try ConfigReader(yaml: "- a\n- b\n", source: "l.yaml") }
        #expect(list?.problem.contains("top level must be a section") == true)
        let duplicate = #expect(throws: ConfigError.self) { try ConfigReader(yaml: "a: 1\na: 2\n", source: "d.yaml") }
        #expect(duplicate?.problem.contains("the key appears twice (a)") == true)
        let missing = #expect(throws: ConfigError.self) { try ConfigReader(contentsOf: "/nonexistent/x.yaml") }
        #expect(missing?.source == "/nonexistent/x.yaml")
    }

    @Test func durationsParseUnits() {
        #expect(ConfigReader.parseDuration("250ms") == .milliseconds(250))
        #expect(ConfigReader.parseDuration("5m") == .seconds(300))
        #expect(ConfigReader.parseDuration("1.5") == .milliseconds(1500))
        #expect(ConfigReader.parseDuration("-3s") == nil)
        #expect(ConfigReader.parseDuration("fast") == nil)
    }
}
