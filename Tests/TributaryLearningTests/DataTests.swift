import Testing
import TributaryLearning

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
