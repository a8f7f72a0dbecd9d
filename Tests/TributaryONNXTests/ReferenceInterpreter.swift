import Foundation
import TributaryONNX

/// Evaluates an exported graph in double precision, node by node, over exactly the operators the
/// exporter emits (Gemm, Relu, Tanh, Sigmoid, Softmax): the check that the graph as written —
/// folded weights and all — computes what Tributary's own forward pass computes.
struct ReferenceInterpreter {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A value: rows × columns, row-major.
    struct Matrix {
        var rows: Int
        var columns: Int
        var values: [Double]
    }

    let model: ONNXModel

    /// Every graph output for `features` (rows × the input's width), by name.
    func run(features: [Float], rows: Int) throws -> [String: Matrix] {
        let graph = model.graph
        guard graph.inputs.count == 1, case .fixed(let width)? = graph.inputs[0].shape.last else {
            throw Failure(description: "graph inputs \(graph.inputs) are not one [N, width] tensor")
        }
        var values: [String: Matrix] = [graph.inputs[0].name: Matrix(rows: rows, columns: width, values: features.map(Double.init))]
        for tensor in graph.initializers {
            values[tensor.name] = Matrix(rows: tensor.shape[0], columns: tensor.shape.count > 1 ? tensor.shape[1] : 1, values: tensor.values.map(Double.init))
        }
        for node in graph.nodes {
            let inputs = try node.inputs.map { name in
                guard let value = values[name] else { throw Failure(description: "node \(node.name) reads \(name), which no earlier node wrote") }
                return value
            }
            guard node.outputs.count == 1 else { throw Failure(description: "node \(node.name) has outputs \(node.outputs)") }
            values[node.outputs[0]] = try apply(node, inputs)
        }
        return try Dictionary(uniqueKeysWithValues: graph.outputs.map { output in
            guard let value = values[output.name] else { throw Failure(description: "graph output \(output.name) is never written") }
            return (output.name, value)
        })
    }

    private func apply(_ node: ONNXNode, _ inputs: [Matrix]) throws -> Matrix {
        switch node.opType {
        case "Gemm": return try gemm(node, inputs)
        case "Relu": return map(inputs[0]) { max($0, 0) }
        case "Tanh": return map(inputs[0]) { Foundation.tanh($0) }
        case "Sigmoid": return map(inputs[0]) { 1 / (1 + exp(-$0)) }
        case "Softmax":
            guard node.attribute("axis") == .int(-1) || node.attribute("axis") == .int(1) else {
                throw Failure(description: "Softmax \(node.name) has axis \(String(describing: node.attribute("axis")))")
            }
            var result = inputs[0]
            for row in 0..<result.rows {
                let slice = result.values[(row * result.columns)..<((row + 1) * result.columns)]
                let top = slice.max()!
                let sum = slice.reduce(0) { $0 + exp($1 - top) }
                for c in 0..<result.columns { result.values[row * result.columns + c] = exp(slice[row * result.columns + c] - top) / sum }
            }
            return result
        default:
            throw Failure(description: "node \(node.name) uses \(node.opType), which the exporter never emits")
        }
    }

    /// Y = A · Bᵀ + C (transB = 1, alpha = beta = 1), C one bias per output column.
    private func gemm(_ node: ONNXNode, _ inputs: [Matrix]) throws -> Matrix {
        guard inputs.count == 3, node.attribute("transB") == .int(1), node.attribute("transA") == nil,
              node.attribute("alpha") == nil, node.attribute("beta") == nil
        else { throw Failure(description: "Gemm \(node.name) is not A·Bᵀ + C: \(node.attributes)") }
        let a = inputs[0], b = inputs[1], c = inputs[2]
        guard a.columns == b.columns, c.values.count == b.rows else {
            throw Failure(description: "Gemm \(node.name): A \(a.rows)×\(a.columns), B \(b.rows)×\(b.columns), C \(c.values.count)")
        }
        var y = Matrix(rows: a.rows, columns: b.rows, values: [Double](repeating: 0, count: a.rows * b.rows))
        for row in 0..<a.rows {
            for unit in 0..<b.rows {
                var sum = c.values[unit]
                for k in 0..<a.columns { sum += a.values[row * a.columns + k] * b.values[unit * b.columns + k] }
                y.values[row * b.rows + unit] = sum
            }
        }
        return y
    }

    private func map(_ matrix: Matrix, _ f: (Double) -> Double) -> Matrix {
        Matrix(rows: matrix.rows, columns: matrix.columns, values: matrix.values.map(f))
    }
}
