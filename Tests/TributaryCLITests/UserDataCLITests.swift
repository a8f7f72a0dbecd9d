import Foundation
import Testing

/// `simulate` / `federate` on a user's own CSV, as a user runs them.
@Suite struct UserDataCLITests {
    @Test func federateLearnsTheGlucoseForecastAndPrintsRMSEAndMAE() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let write = try CLIProcess.run(["glucose-csv", "--out", dir + "/glucose.csv", "--patients", "2", "--days", "2"])
        #expect(write.status == 0, "\(write.stderr)")
        let run = try CLIProcess.run(["federate", "--data", dir + "/glucose.csv", "--task", "regression", "--label-column", "glucose_30min",
                                      "--task-column", "patient", "--clients", "3", "--rounds", "3", "--report", dir + "/report"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("(regression, tasks by column patient)"), "\(run.stdout)")
        #expect(run.stdout.contains("RMSE after \\ on") && run.stdout.contains("mean RMSE") && run.stdout.contains("MAE per task after the last round: p1 "), "\(run.stdout)")
        let report = try String(contentsOfFile: dir + "/report/report.json", encoding: .utf8)
        #expect(report.contains("\"metric\" : \"rmse\""))
    }

    @Test func trainAndEvalReadARegressionModelsRealValuedLabel() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = #"{"inputSize":2,"layers":[{"units":8,"activation":"relu"},{"units":1,"activation":"identity"}],"loss":"meanSquaredError"}"#
        try spec.write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        // y = x₀ − x₁ + 0.5, on a grid.
        var rows = ["x0,x1,y"]
        for i in 0..<10 { for j in 0..<10 { rows.append("\(Double(i) / 10),\(Double(j) / 10),\(Double(i - j) / 10 + 0.5)") } }
        try (rows.joined(separator: "\r\n") + "\r\n").write(toFile: dir + "/y.csv", atomically: true, encoding: .utf8)
        #expect(try CLIProcess.run(["init", "--spec", dir + "/spec.json", "--out", dir + "/r.ckpt"]).status == 0)
        let train = try CLIProcess.run(["train", "--checkpoint", dir + "/r.ckpt", "--data", dir + "/y.csv", "--epochs", "40", "--batch-size", "10"])
        #expect(train.status == 0 && train.stdout.contains("new data RMSE"), "\(train.stdout)\(train.stderr)")
        let eval = try CLIProcess.run(["eval", "--checkpoint", dir + "/r.ckpt", "--data", dir + "/y.csv"])
        #expect(eval.status == 0 && eval.stdout.contains("RMSE ") && eval.stdout.contains("(predicting the mean: RMSE 0.4"), "\(eval.stdout)\(eval.stderr)")
    }

    @Test func badUserDataFlagsNameTheFlagAndValue() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = dir + "/mine.csv"
        // CRLF line endings and quoted fields, as Excel writes them.
        try "\"a\",\"b\",\"kind\"\r\n1,2,0\r\n3,4,1\r\n5,6,2\r\n7,8,0\r\n".write(toFile: csv, atomically: true, encoding: .utf8)
        for (arguments, expected) in [
            (["federate", "--data", csv, "--task", "sideways"], "--task must be classification or regression, got 'sideways'"),
            (["federate", "--data", csv, "--tasks", "0,1;x"], "--tasks is '0,1;x'; give groups of class indices"),
            (["federate", "--data", csv, "--label-column", "kind", "--tasks", "0,1"], "has label 2, which is in no group of --tasks \"0,1\""),
            (["federate", "--data", csv, "--label-column", "species"], "no column named 'species' (the label column) in the header a,b,kind"),
            (["federate", "--data", csv, "--task-column", "who", "--tasks", "0;1"], "--task-column who and --tasks 0;1 are two split rules; give one"),
            (["federate", "--scenario", "split", "--label-column", "kind"], "--label-column kind describes your own CSV"),
            (["federate", "--tasks", "0,1;2,3"], "--tasks 0,1;2,3 groups the classes of your own CSV (--data)"),
            (["federate", "--data", csv, "--task", "regression", "--replay", "5"], "--replay is 5; the replay buffer does not keep regression targets yet"),
            (["simulate", "--data", csv, "--task", "regression", "--partition", "dirichlet:0.5"], "--partition dirichlet(0.5): a label skew needs classes"),
        ] {
            let output = try CLIProcess.run(arguments)
            let lines = output.stderr.split(separator: "\n")
            #expect(output.status != 0 && lines.first?.hasPrefix("error: ") == true && lines.first?.contains(expected) == true, "\(arguments): \(output.stderr)")
        }
    }
}
