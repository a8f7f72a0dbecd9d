import ArgumentParser
import Foundation
import TributaryEdge
import TributaryEdgeCLI

/// `tributary-edge predict --config edge.yaml FILE.csv`: the edge's held model over a CSV file, offline.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict the rows of a CSV file with the model in the edge's checkpoint (offline; nothing is logged).",
        discussion: """
            Each row holds the model's features, or the features and a label last (echoed, not used). \
            A header row is detected. Output on stdout: CSV (line,class,p0,p1,…,model_version[,label]) or JSON lines.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, jsonl
    }

    @OptionGroup var options: ConfigOptions
    @Option(help: "Output format: csv or jsonl.") var format: Format = .csv
    @Argument(help: "CSV file of examples to predict.") var file: String

    func run() async throws {
        do {
            guard let reader = try options.reader() else { throw ValidationError("predict needs --config (where the edge's checkpoint is)") }
            let configuration = try EdgeConfiguration(reader: reader)
            try reader.finish()
            let batch = try BatchPrediction(checkpointAt: configuration.checkpointPath)
            guard let data = FileManager.default.contents(atPath: file) else {
                throw EdgeError(.invalidInput, "\(file): cannot read the file (\(FileManager.default.fileExists(atPath: file) ? "not readable" : "no such file"))")
            }
            let rows = try batch.rows(csv: String(decoding: data, as: UTF8.self), file: file)
            let outputs = try batch.predict(rows)
            let version = batch.model.version
            var text = ""
            if format == .csv {
                let classes = outputs.first?.probabilities.count ?? 0
                text += (["line", "class"] + (0..<classes).map { "p\($0)" } + ["model_version"] + (rows.first?.label != nil ? ["label"] : []))
                    .joined(separator: ",") + "\n"
            }
            for (row, output) in zip(rows, outputs) {
                switch format {
                case .csv:
                    text += ([String(row.line), String(output.predictedClass)] + output.probabilities.map { "\($0)" } + [String(version)]
                        + (row.label.map { [$0] } ?? [])).joined(separator: ",") + "\n"
                case .jsonl:
                    let label = row.label.map { ",\"label\":" + String(decoding: (try? JSONEncoder().encode($0)) ?? Data("null".utf8), as: UTF8.self) } ?? ""
                    text += "{\"line\":\(row.line),\"class\":\(output.predictedClass),\"probabilities\":[\(output.probabilities.map { "\($0)" }.joined(separator: ","))],\"model_version\":\(version)\(label)}\n"
                }
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(error)
        }
    }
}
