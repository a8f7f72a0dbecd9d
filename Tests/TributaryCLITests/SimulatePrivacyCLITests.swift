import Foundation
import Testing

/// `tributary simulate --dp-epsilon`: a fleet over loopback mTLS under client-level DP, ε per round
/// in the round lines, the summary and report.json; bad flags name the flag and its value.
@Suite struct SimulatePrivacyCLITests {
    @Test func aPrivateRunPrintsAndStoresEpsilonPerRound() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try CLIProcess.run(["simulate", "--clients", "3", "--tasks", "1", "--rounds-per-task", "2", "--rule", "fedavg",
                                         "--dp-epsilon", "4", "--dp-clip", "0.3", "--report", dir])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("task 1/1 round 2/2: round 2 promoted") && output.stderr.contains(", ε 4"), "\(output.stderr)")
        #expect(output.stdout.contains("differential privacy (trusted_server, ε_max 4.0, δ 1e-05, delta clip 0.3, z for 2 rounds): ε spent 4"), "\(output.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))) as? [String: Any]
        let rounds = try #require(report?["rounds"] as? [[String: Any]])
        let epsilons = rounds.compactMap { $0["epsilon"] as? Double }
        #expect(epsilons.count == 2 && epsilons[0] < epsilons[1] && epsilons[1] <= 4, "\(epsilons)")
    }

    @Test(arguments: [
        (["--dp-epsilon", "4", "--dp-mode", "sideways"], "--dp-mode is 'sideways'; use trusted or distributed"),
        (["--dp-epsilon", "4", "--dp-mode", "distributed"], "--dp-mode distributed with --rule ewc"),
        (["--dp-epsilon", "0"], "--dp-epsilon is 0.0; must be a number > 0"),
        (["--dp-epsilon", "4", "--dp-clip=-1"], "--dp-clip is -1.0; must be a number > 0"),
        (["--dp-mode", "distributed"], "--dp-mode distributed needs --dp-epsilon"),
    ])
    func badPrivacyFlagsNameTheFlagAndValue(flags: [String], expected: String) throws {
        let output = try CLIProcess.run(["simulate", "--clients", "2", "--tasks", "1", "--rounds-per-task", "1"] + flags)
        #expect(output.status != 0)
        #expect(output.stderr.contains(expected), "\(output.stderr)")
    }
}
