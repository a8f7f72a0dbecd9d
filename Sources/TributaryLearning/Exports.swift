// Learning is built on the numerics layer; its users get Tensor, ParameterVector and
// SeededGenerator with it.
@_exported import TributaryNumerics
