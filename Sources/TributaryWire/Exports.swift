// Messages carry the numerics layer's Tensor; users of the wire get the type with it.
@_exported import struct TributaryNumerics.Tensor
