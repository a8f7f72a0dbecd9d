import Testing
import TributaryNumerics

@Suite struct BLASTests {
    @Test func matmulMatchesNaiveProductWithTransposes() {
        var generator = SeededGenerator(seed: 3)
        let a = Tensor(shape: [3, 4], scalars: (0..<12).map { _ in generator.nextGaussian() })
        let b = Tensor(shape: [4, 5], scalars: (0..<20).map { _ in generator.nextGaussian() })
        let c = a.matmul(b)
        #expect(c.shape == [3, 5])
        for i in 0..<3 {
            for j in 0..<5 {
                var expected: Float = 0
                for k in 0..<4 { expected += a[i, k] * b[k, j] }
                #expect(abs(c[i, j] - expected) < 1e-5)
            }
        }
        let bT = Tensor(shape: [5, 4], scalars: (0..<20).map { b[$0 % 4, $0 / 4] })
        let viaTranspose = a.matmul(bT, transposeOther: true)
        for (x, y) in zip(c.scalars, viaTranspose.scalars) { #expect(abs(x - y) < 1e-5) }
    }

    @Test func vectorOperations() {
        var x = Tensor([1, 2, 3, 4, 5, 6, 7, 8, 9])
        let y = Tensor([1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(x.dot(y) == 45)
        x.add(y, scaledBy: 2)
        #expect(x.scalars == [3, 4, 5, 6, 7, 8, 9, 10, 11])
        x.scale(by: 0.5)
        #expect(x.scalars == [1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5])
        #expect(abs(Tensor([3, 4]).norm - 5) < 1e-6)
        let sum = x.scalars.withUnsafeBufferPointer { VectorMath.sum($0) }
        #expect(sum == 31.5)
        let squares = Tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).scalars.withUnsafeBufferPointer { VectorMath.sumOfSquares($0) }
        #expect(squares == 385)
    }

    @Test func finiteCheckFindsNaNAndInfinityAnywhere() {
        for position in 0..<19 {
            var values = [Float](repeating: 1, count: 19)
            values[position] = .nan
            #expect(!Tensor(values).isFinite)
            values[position] = -.infinity
            #expect(!Tensor(values).isFinite)
        }
        #expect(Tensor([Float](repeating: 3e38, count: 19)).isFinite)
    }

    @Test func tensorsAreValuesWithCopyOnWrite() {
        let a = Tensor([1, 2, 3])
        var b = a
        b.scale(by: 2)
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [2, 4, 6])
    }

    @Test func blasReportsItsKernelAndThreads() {
        BLAS.setThreadCount(1)
        #expect(BLAS.threadCount == 1)
        #expect(!BLAS.coreName.isEmpty)
    }
}
