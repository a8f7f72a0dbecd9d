import Foundation
import Testing

/// `tributary suite`: the table a user reads, the CSV that `federate --data` runs, and one clear
/// line for each bad flag.
@Suite struct SuiteCLITests {
    @Test func suitePrintsOneRowPerMethodWithMeanAndSpread() throws {
        let output = try CLIProcess.run([
            "suite", "--scenario", "drifting-clusters", "--seeds", "0-1", "--methods", "naive,replay,fedavg",
            "--epochs", "1", "--rounds", "1", "--clients", "3", "--markdown",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("drifting-clusters: 5 tasks") == true, "\(output.stdout)")
        #expect(lines.contains("| method | ACC % | BWT (points) | newest task % | ACC per seed (0, 1) |"))
        for method in ["naive", "replay", "fedavg"] {
            let row = try #require(lines.first { $0.hasPrefix("| \(method) |") }, Comment(rawValue: output.stdout))
            #expect(row.split(separator: "|").count == 5 && row.contains("±"), "\(row)")
        }
    }

    @Test func anExportedScenarioRunsThroughFederateData() throws {
        let dir = CLIProcess.temporaryDirectory()
        let csv = dir + "/glyphs.csv"
        let export = try CLIProcess.run(["suite", "--scenario", "glyphs", "--seeds", "3", "--export-csv", csv])
        #expect(export.status == 0, "\(export.stderr)")
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let rows = text.split(separator: "\n")
        #expect(rows.first?.hasSuffix("x99,task,label") == true)
        #expect(rows.count == 1 + 4 * 3 * (100 + 40))
        let federated = try CLIProcess.run(["federate", "--data", csv, "--task-column", "task", "--rounds", "1", "--clients", "3"])
        #expect(federated.status == 0, "\(federated.stderr)")
        #expect(federated.stdout.contains("ACC "), "\(federated.stdout)")
    }

    @Test func badFlagsNameTheirValue() throws {
        let cases: [([String], String)] = [
            (["suite", "--scenario", "mnist"], "--scenario is 'mnist'; use one of split-digits"),
            (["suite", "--scenario", "glyphs", "--seeds", "0,x"], "--seeds: seeds '0,x': 'x' is not a non-negative integer"),
            (["suite", "--scenario", "glyphs", "--methods", "naive,fedprox"], "--methods: method 'fedprox' in 'naive,fedprox'"),
            (["suite", "--scenario", "glyphs", "--rounds", "0"], "--rounds is 0"),
            (["suite", "--scenario", "glyphs", "--alpha=-1"], "--alpha is -1.0"),
            (["suite", "--scenario", "glyphs", "--seeds", "0,1", "--export-csv", "x.csv"], "--export-csv writes one seed's tasks; --seeds is '0,1'"),
            (["suite", "--scenario", "rotated-digits", "--data", "/nonexistent/digits.csv"], "--data /nonexistent/digits.csv: no such file"),
        ]
        for (arguments, expected) in cases {
            let output = try CLIProcess.run(arguments)
            #expect(output.status != 0, "\(arguments) exited 0")
            let lines = output.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true && lines.first?.contains(expected) == true, "\(arguments): \(output.stderr)")
        }
    }
}
