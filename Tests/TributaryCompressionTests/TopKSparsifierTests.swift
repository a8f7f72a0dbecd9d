import Testing
import TributaryCompression

@Suite struct TopKSparsifierTests {
    @Test func keepsTheLargestAndCarriesTheRestForward() throws {
        let sparsifier = try TopKSparsifier(fraction: 0.25)
        var residual = ErrorFeedbackResidual(count: 8)
        let first = try sparsifier.encode([0.1, -5, 0.2, 3, 0, 0, 0.3, 0], residual: &residual)
        #expect(first.indices == [1, 3])
        #expect(first.values == [-5, 3])
        #expect(residual.values == [0.1, 0, 0.2, 0, 0, 0, 0.3, 0])
        // Next round: the residual joins the new delta, and what was held back goes out.
        let second = try sparsifier.encode([0, 0, 0.2, 0, 0, 0, 0.1, 0.05], residual: &residual)
        #expect(second.indices == [2, 6])
        #expect(abs(second.values[0] - 0.4) < 1e-6 && abs(second.values[1] - 0.4) < 1e-6)
        #expect(second.decoded()[2] == second.values[0])
    }

    @Test func whatIsSentPlusTheResidualIsEverythingEverGiven() throws {
        // Error feedback loses nothing: Σ sent + residual = Σ deltas, round after round.
        let sparsifier = try TopKSparsifier(fraction: 0.1)
        var residual = ErrorFeedbackResidual(count: 500)
        var given = [Float](repeating: 0, count: 500), sent = given
        for round in 0..<20 {
            let delta = Int8QuantizerTests.vector(500, seed: UInt64(round))
            for index in given.indices { given[index] += delta[index] }
            let sparse = try sparsifier.encode(delta, residual: &residual)
            #expect(sparse.indices.count == 50)
            for (index, value) in zip(sparse.indices, sparse.values) { sent[Int(index)] += value }
        }
        for index in given.indices { #expect(abs(sent[index] + residual.values[index] - given[index]) < 1e-5) }
    }

    @Test func theResidualSurvivesAsBytes() throws {
        var residual = ErrorFeedbackResidual(count: 100)
        _ = try TopKSparsifier(fraction: 0.1).encode(Int8QuantizerTests.vector(100, seed: 3), residual: &residual)
        let restored = try ErrorFeedbackResidual(serialized: residual.serialized)
        #expect(restored == residual)
        #expect(residual.serialized.count == 8 + 400)
    }

    @Test func sparseBytesAreAboutAnEighthOfFloat32AtTenPercent() throws {
        var residual = ErrorFeedbackResidual(count: 4810)
        let sparse = try TopKSparsifier(fraction: 0.1).encode(Int8QuantizerTests.vector(4810, seed: 4), residual: &residual)
        let bytes = sparse.serialized
        #expect(try SparseVector(serialized: bytes) == sparse)
        let ratio = Double(bytes.count) / Double(4 * 4810)
        #expect(ratio > 0.12 && ratio < 0.14, "ratio \(ratio)")
    }

    @Test func aResidualOfAnotherModelIsRefused() throws {
        var residual = ErrorFeedbackResidual(count: 3)
        do {
            _ = try TopKSparsifier(fraction: 0.5).encode([1, 2], residual: &residual)
            Issue.record("a residual of 3 was used for a delta of 2")
        } catch let error as CompressionError {
            #expect(error.reason == "residual holds 3 values and the delta 2; a residual belongs to one model")
        }
        #expect(throws: CompressionError(.invalidConfiguration, "")) { try TopKSparsifier(fraction: 0) }
    }
}
