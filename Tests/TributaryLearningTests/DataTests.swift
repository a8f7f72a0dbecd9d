import Foundation
import Testing
@testable import TributaryLearning
import TributaryNumerics

@Suite struct CSVLoaderTests {
    func reason(_ text: String, _ options: CSVLoader.Options = .init()) -> String {
        do { _ = try CSVLoader.parse(text, source: "new.csv", options: options); return "accepted" } catch let error as LearningError {
            return error.reason
        } catch { return "\(error)" }
    }

    @Test func readsHeaderAndLabelColumns() throws {
        let data = try CSVLoader.parse("a,b,label\n1,2,0\n3.5,-4e-1,1\n\n", source: "x.csv")
        #expect(data.count == 2 && data.featureCount == 2)
        #expect(data.features == [1, 2, 3.5, -0.4])
        #expect(data.labels == [0, 1])
        let first = try CSVLoader.parse("2,1,9\n1,0,8\n", options: .init(label: .index(0)))
        #expect(first.labels == [2, 1])
        #expect(first.features == [1, 9, 0, 8])
        let named = try CSVLoader.parse("y,x\n1,5\n", options: .init(label: .named("y")))
        #expect(named.labels == [1] && named.features == [5])
    }

    @Test func errorsNameRowColumnAndValue() {
        #expect(reason("a,b,label\n1,2,0\n1,2\n") == "new.csv: row 3 has 2 columns, expected 3")
        #expect(reason("a,b,label\n1,x7,0\n") == "new.csv: row 2, column 2 (b): 'x7' is not a number")
        #expect(reason("a,b,label\n1,2,12\n", .init(classCount: 10)) == "new.csv: row 2, column 3 (label): label 12 is outside 0..<10")
        #expect(reason("a,b,label\n1,2,-1\n") == "new.csv: row 2, column 3 (label): label '-1' is not a non-negative integer")
        #expect(reason("a,b,label\n1,nan,1\n") == "new.csv: row 2, column 2 (b): 'nan' is not finite")
        #expect(reason("") == "new.csv: the file is empty (no rows)")
        #expect(reason("a,b,label\n") == "new.csv: no data rows after the header")
        #expect(reason("a,b\n1,2\n", .init(label: .named("label"))).contains("no column named 'label'"))
    }

    @Test func readsCRLFLineEndings() throws {
        // Excel and Python's csv module end lines with CRLF; "\r\n" is one Character in Swift.
        let data = try CSVLoader.parse("a,b,label\r\n1,2,0\r\n3,4,1\r\n\r\n", source: "x.csv")
        #expect(data.count == 2 && data.features == [1, 2, 3, 4] && data.labels == [0, 1])
        let named = try CSVLoader.parse("y,x\r\n1,5\r\n", options: .init(label: .named("x")))
        #expect(named.labels == [5] && named.features == [1])
        #expect(reason("a,b,label\r\n1,x7,0\r\n") == "new.csv: row 2, column 2 (b): 'x7' is not a number")
    }

    @Test func readsQuotedFieldsAsRFC4180() throws {
        let data = try CSVLoader.parse("\"width, cm\",\"say \"\"hi\"\"\",\"the label\"\n\"1.5\", 2 ,\"3\"\n", options: .init(label: .named("the label")))
        #expect(data.features == [1.5, 2] && data.labels == [3])
        #expect(reason("\"a,b\",c,label\n1,x,0\n") == "new.csv: row 2, column 2 (c): 'x' is not a number")
        #expect(reason("a,\"b\nc\",label\n1,2,0\n1,zz,0\n") == "new.csv: row 4, column 2 (b\nc): 'zz' is not a number")
        #expect(reason("a,b,label\n1,\"2,0\n") == "new.csv: row 2: a quoted field is not closed (a '\"' is missing before the end of the file)")
        #expect(reason("a,b,label\n1,\"2\"x,0\n") == "new.csv: row 2, column 2: 'x' after a closing quote (a quote inside a quoted field is written \"\")")
    }

    @Test func chunkBoundariesDoNotChangeTheRecords() throws {
        var generator = SeededGenerator(seed: 7)
        let text = "\u{FEFF}\"f,0\",f1,label\r\n" + (0..<200).map { _ in
            "\"\(generator.nextInt(below: 100))\"\"\", \(generator.nextInt(below: 9)).5 ,\(generator.nextInt(below: 3))\r\n"
        }.joined()
        let bytes = Array(text.utf8)
        func records(chunk size: Int) throws -> [[String]] {
            var splitter = CSVRecordSplitter(source: "x.csv", delimiter: UInt8(ascii: ","), maxRecordBytes: 64)
            var records: [[String]] = []
            for start in stride(from: 0, to: bytes.count, by: size) {
                try bytes[start..<min(start + size, bytes.count)].withUnsafeBytes { try splitter.feed($0) { records.append($0.fields) } }
            }
            try splitter.finish { records.append($0.fields) }
            return records
        }
        let whole = try records(chunk: bytes.count)
        #expect(whole.count == 201 && whole[0] == ["f,0", "f1", "label"] && whole[1][0].hasSuffix("\""))
        for size in [1, 2, 3, 7, 64] { #expect(try records(chunk: size) == whole, "chunk \(size)") }
    }

    @Test func capsNameTheCapAndTheValue() {
        #expect(reason("a,b,label\n1,2,0\n", .init(maxBytes: 10)) == "new.csv: more than the maximum of 10 bytes")
        #expect(reason("a,b,label\n1,2,0\n3,4,1\n5,6,1\n", .init(maxRows: 2)) == "new.csv: row 4 is one more than the maximum of 2 data rows")
        #expect(reason("a,b,label\n1,2,0\n" + String(repeating: "9", count: 100) + ",1,0\n", .init(maxLineBytes: 50))
            == "new.csv: line 3 is longer than 50 bytes (the maximum line length); is this a CSV file?")
        #expect(reason("a,b,label\n1,2,0\n", .init(featureCount: 3)) == "new.csv: row 1 has 2 feature columns (and a label); expected 3")
        #expect(reason("a;b;label\n1;2;0\n", .init(delimiter: "\n")).contains("delimiter"))
    }

    @Test func aFileOverMaxBytesIsRefusedBeforeReading() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("a,b,label\n1,2,0\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try CSVLoader.load(path: path, options: .init(maxBytes: 8))
            Issue.record("accepted")
        } catch let error as LearningError {
            #expect(error.reason == "\(path): the file is 16 bytes, more than the maximum of 8")
        }
    }

    @Test func loadingAMissingFileNamesIt() {
        do {
            _ = try CSVLoader.load(path: "/nonexistent/new.csv")
            Issue.record("missing file loaded")
        } catch let error as LearningError {
            #expect(error.code == .io)
            #expect(error.reason.contains("/nonexistent/new.csv"))
        } catch { Issue.record("\(error)") }
    }
}

@Suite struct DriftingStreamTests {
    @Test func seededAndDriftsAbruptly() {
        var a = DriftingStream(dimensions: 4, seed: 1, abruptDriftAt: 500)
        var b = DriftingStream(dimensions: 4, seed: 1, abruptDriftAt: 500)
        let first = a.next(1000)
        #expect(first == b.next(1000))
        // A model of the first concept: the label is stable before the drift and flips after.
        var stable = DriftingStream(dimensions: 4, seed: 1)
        let reference = stable.next(1000)
        let agreeBefore = (0..<500).filter { first.labels[$0] == reference.labels[$0] }.count
        let agreeAfter = (500..<1000).filter { first.labels[$0] == reference.labels[$0] }.count
        #expect(agreeBefore == 500)
        #expect(agreeAfter == 0)
        let ones = first.labels.filter { $0 == 1 }.count
        #expect(ones > 300 && ones < 700)
    }
}

@Suite struct EvaluationTests {
    @Test func metricsFollowLopezPazAndRanzato() {
        let matrix = AccuracyMatrix(
            values: [[0.9, 0.2, 0.1], [0.7, 0.8, 0.3], [0.6, 0.5, 0.95]],
            baseline: [0.1, 0.1, 0.2])
        #expect(abs(matrix.averageAccuracy - (0.6 + 0.5 + 0.95) / 3) < 1e-12)
        #expect(abs(matrix.backwardTransfer - ((0.6 - 0.9) + (0.5 - 0.8)) / 2) < 1e-12)
        #expect(abs(matrix.forwardTransfer - ((0.2 - 0.1) + (0.3 - 0.2)) / 2) < 1e-12)
        #expect(matrix.rendered().contains("ACC 68.3%"))
    }

    @Test func stabilityCountsUnchangedPredictions() throws {
        let data = Fixtures.blobs(count: 50)
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: Fixtures.spec(), generator: &generator)
        #expect(Evaluation.stability(parent: model, candidate: model, on: data) == 1)
        let other = try Sequential(spec: Fixtures.spec(), generator: &generator)
        let expected = Double(zip(Evaluation.predictions(model, on: data), Evaluation.predictions(other, on: data)).filter { $0 == $1 }.count) / 50
        #expect(Evaluation.stability(parent: model, candidate: other, on: data) == expected)
    }
}
