import Foundation

/// What a tensor's `data` holds while its bytes are kept apart: the tensor's index, 4 bytes
/// little-endian.
enum TensorMarker {
    static let byteCount = 4

    static func bytes(_ index: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(index).littleEndian, Array.init)
    }

    static func index(_ bytes: some Collection<UInt8>) -> Int? {
        guard bytes.count == byteCount else { return nil }
        return Int(bytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }
}

/// Collects the scalars of the tensors a message holds while it is mapped to its proto for
/// sending; each `Tensor.data` gets a ``TensorMarker`` instead of a copy of the scalars.
final class OutgoingTensors {
    /// Little-endian scalars, in marker order: pieces of the sets' flat buffers (no copies).
    private(set) var scalars: [ArraySlice<Float>] = []

    func marker(for tensor: ArraySlice<Float>) -> Data {
        #if _endian(big)
        scalars.append(ArraySlice(tensor.map { Float(bitPattern: $0.bitPattern.littleEndian) }))
        #else
        scalars.append(tensor)
        #endif
        return Data(TensorMarker.bytes(scalars.count - 1))
    }
}

/// The data of the tensors of a message being mapped from a skeleton: slices of the received
/// bytes, valid only while those bytes are (inside their `withUnsafeBytes`).
struct IncomingTensors {
    let slices: [UnsafeRawBufferPointer]

    /// The bytes a marker stands for.
    func bytes(for marker: Data) throws -> UnsafeRawBufferPointer {
        guard let index = TensorMarker.index(marker), index < slices.count else {
            throw WireError(.malformedFrame, "tensor data marker \(Array(marker.prefix(8))) names no received tensor (\(slices.count) received)")
        }
        return slices[index]
    }
}
