import Foundation
import TributaryLearning

/// Domain-incremental digits: the same ten classes in every task, each task's images rotated
/// by a further `stepDegrees` (task t by t × step, task 0 upright). Pixels are scaled from
/// 0…16 to [0, 1] and rotated about the 8×8 image's centre with bilinear interpolation (zero
/// outside the image); rotation moves ink onto pixels that are blank in upright digits, so the
/// features are not standardised with task 0's statistics (a blank pixel's tiny std would blow
/// the rotated ink up). The 70/30 split is the digits protocol's, the same images in every task.
public enum RotatedDigits {
    public static let side = 8

    public static func tasks(data: Dataset, seed: UInt64, taskCount: Int = 5, stepDegrees: Double = 30) -> [ContinualTask] {
        precondition(data.featureCount == side * side, "rotated digits need 8×8 images (64 features), got \(data.featureCount)")
        let (train, test) = DigitsBenchmark.stratifiedSplit(data, seed: seed)
        return (0..<taskCount).map { t in
            let degrees = Double(t) * stepDegrees
            return ContinualTask(
                name: "rotated \(Int(degrees.rounded()))°", train: rotate(train, degrees: degrees), test: rotate(test, degrees: degrees),
                classes: Array(0..<10))
        }
    }

    /// Every image of `data` (raw 0…16 pixels) scaled to [0, 1] and rotated by `degrees`
    /// (clockwise as displayed, rows counting down: 90° makes out[r][c] = in[7 − c][r]).
    public static func rotate(_ data: Dataset, degrees: Double) -> Dataset {
        var result = Dataset(featureCount: data.featureCount)
        let radians = degrees * Double.pi / 180
        let (cosine, sine) = (cos(radians), sin(radians))
        let centre = Double(side - 1) / 2
        for index in 0..<data.count {
            let image = Array(data.row(index))
            var rotated = [Float](repeating: 0, count: side * side)
            for row in 0..<side {
                for column in 0..<side {
                    // The source point that lands on (row, column): the inverse rotation.
                    let (y, x) = (Double(row) - centre, Double(column) - centre)
                    let sourceX = cosine * x + sine * y + centre
                    let sourceY = -sine * x + cosine * y + centre
                    rotated[row * side + column] = bilinear(image, x: sourceX, y: sourceY) / 16
                }
            }
            result.append(features: rotated, label: data.labels[index])
        }
        return result
    }

    static func bilinear(_ image: [Float], x: Double, y: Double) -> Float {
        let (x0, y0) = (Int(floor(x)), Int(floor(y)))
        let (fx, fy) = (Float(x - Double(x0)), Float(y - Double(y0)))
        func pixel(_ r: Int, _ c: Int) -> Float {
            (0..<side).contains(r) && (0..<side).contains(c) ? image[r * side + c] : 0
        }
        let top = pixel(y0, x0) * (1 - fx) + pixel(y0, x0 + 1) * fx
        let bottom = pixel(y0 + 1, x0) * (1 - fx) + pixel(y0 + 1, x0 + 1) * fx
        return top * (1 - fy) + bottom * fy
    }
}
