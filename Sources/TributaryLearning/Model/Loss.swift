/// The training objectives a model can use. Classification losses take logits.
public enum Loss: String, Sendable, Codable, CaseIterable {
    /// Softmax over the outputs and cross-entropy against the integer label.
    case softmaxCrossEntropy
    /// Independent sigmoids and binary cross-entropy against the one-hot label
    /// (or against the 0/1 label when the model has a single output).
    case binaryCrossEntropy
    /// Half squared error against the one-hot label (or the label's value with one output).
    case meanSquaredError
}
