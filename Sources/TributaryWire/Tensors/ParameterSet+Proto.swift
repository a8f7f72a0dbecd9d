import Foundation

extension ParameterSet {
    /// Decodes straight into one flat buffer: every tensor is checked first (in order, so the
    /// first fault is the one named), then each one's data is copied once, from the received bytes
    /// into its piece of the buffer.
    init(proto: Tributary_V1_ParameterSet, field: String, incoming: IncomingTensors? = nil) throws {
        try Self.checkUnique(proto.tensors.lazy.map(\.name), field: "\(field).tensors")
        var entries: [Entry] = []
        entries.reserveCapacity(proto.tensors.count)
        var detached: [UnsafeRawBufferPointer?] = []
        detached.reserveCapacity(proto.tensors.count)
        var end = 0
        for (index, named) in proto.tensors.enumerated() {
            let tensorField = "\(field).tensors[\(index)]"
            try requireName(named.name, "\(tensorField).name", maxBytes: NamedTensor.maxNameBytes)
            try require(named.hasTensor, .missingField, "\(tensorField).tensor (\"\(named.name)\") is absent; it is required")
            let header = try TensorHeader(proto: named.tensor, field: "\(tensorField).tensor (\"\(named.name)\")")
            let bytes = try incoming.flatMap { incoming in named.tensor.data.isEmpty ? nil : try incoming.bytes(for: named.tensor.data) }
            try header.check(byteCount: bytes?.count ?? named.tensor.data.count)
            let (next, overflow) = end.addingReportingOverflow(header.count)
            try require(!overflow, .shapeOverflow, "\(field).tensors hold more than \(Int.max) elements")
            entries.append(Entry(name: named.name, shape: header.shape, range: end..<next))
            detached.append(bytes)
            end = next
        }
        let scalars = [Float](unsafeUninitializedCapacity: end) { buffer, initialized in
            HugePages.advise(buffer.baseAddress, byteCount: end * MemoryLayout<Float>.size)
            for (index, entry) in entries.enumerated() where !entry.range.isEmpty {
                let piece = UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[entry.range]))
                if let bytes = detached[index] {
                    piece.copyMemory(from: bytes)
                } else {
                    proto.tensors[index].tensor.data.withUnsafeBytes { piece.copyMemory(from: $0) }
                }
            }
            initialized = end
        }
        #if _endian(big)
        let swapped = scalars.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        self.init(entries: entries, scalars: swapped)
        #else
        self.init(entries: entries, scalars: scalars)
        #endif
    }

    /// With `outgoing`, each tensor's `data` is a marker and its scalars are written later,
    /// straight from ``scalars`` into frames.
    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_ParameterSet {
        var proto = Tributary_V1_ParameterSet()
        proto.tensors = entries.map { entry in
            var named = Tributary_V1_NamedTensor()
            named.name = entry.name
            named.tensor.dtype = .float32
            named.tensor.shape = entry.shape.map { UInt64($0) }
            let piece = scalars[entry.range]
            if let outgoing, !piece.isEmpty {
                named.tensor.data = outgoing.marker(for: piece)
            } else {
                named.tensor.data = TensorHeader.littleEndianData(piece)
            }
            return named
        }
        return proto
    }
}
