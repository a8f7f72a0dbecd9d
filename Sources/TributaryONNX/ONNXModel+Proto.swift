import Foundation
import SwiftProtobuf

extension ONNXModel {
    /// The model as a standard ONNX ModelProto (deterministic bytes: the same model gives the
    /// same file). Tensors are written as little-endian float32 `raw_data`.
    public func serializedBytes() throws -> [UInt8] {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try toProto().serializedBytes(options: options)
    }

    /// Reads back a model written by ``serializedBytes()`` (or any ModelProto using only float32
    /// tensors and int/float attributes); throws `malformedModel` naming what it cannot read.
    public init(serializedBytes bytes: [UInt8]) throws {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw ONNXError(.malformedModel, "not an ONNX ModelProto (\(bytes.count) bytes): \(error)")
        }
        try self.init(proto: proto)
    }

    func toProto() -> Onnx_ModelProto {
        var proto = Onnx_ModelProto()
        proto.irVersion = irVersion
        proto.opsetImport = [Onnx_OperatorSetIdProto.with { $0.domain = ""; $0.version = opsetVersion }]
        proto.producerName = producerName
        proto.producerVersion = producerVersion
        proto.modelVersion = modelVersion
        proto.docString = docString
        proto.graph = graph.toProto()
        proto.metadataProps = metadata.map { entry in Onnx_StringStringEntryProto.with { $0.key = entry.key; $0.value = entry.value } }
        return proto
    }

    init(proto: Onnx_ModelProto) throws {
        guard let opset = proto.opsetImport.first(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" }) else {
            throw ONNXError(.malformedModel, "model imports no ai.onnx operator set (opset_import: \(proto.opsetImport.map(\.domain)))")
        }
        guard proto.hasGraph else { throw ONNXError(.malformedModel, "model has no graph") }
        self.init(
            irVersion: proto.irVersion, opsetVersion: opset.version, producerName: proto.producerName,
            producerVersion: proto.producerVersion, modelVersion: proto.modelVersion, docString: proto.docString,
            graph: try ONNXGraph(proto: proto.graph), metadata: proto.metadataProps.map { ($0.key, $0.value) })
    }
}

extension ONNXGraph {
    func toProto() -> Onnx_GraphProto {
        Onnx_GraphProto.with {
            $0.name = name
            $0.node = nodes.map { $0.toProto() }
            $0.initializer = initializers.map { $0.toProto() }
            $0.input = inputs.map { $0.toProto() }
            $0.output = outputs.map { $0.toProto() }
        }
    }

    init(proto: Onnx_GraphProto) throws {
        self.init(
            name: proto.name, nodes: try proto.node.map(ONNXNode.init(proto:)), initializers: try proto.initializer.map(ONNXTensor.init(proto:)),
            inputs: try proto.input.map(ONNXValueInfo.init(proto:)), outputs: try proto.output.map(ONNXValueInfo.init(proto:)))
    }
}

extension ONNXNode {
    func toProto() -> Onnx_NodeProto {
        Onnx_NodeProto.with {
            $0.name = name
            $0.opType = opType
            $0.input = inputs
            $0.output = outputs
            $0.attribute = attributes.map { attribute in
                Onnx_AttributeProto.with {
                    $0.name = attribute.name
                    switch attribute.value {
                    case .int(let value): $0.type = .int; $0.i = value
                    case .float(let value): $0.type = .float; $0.f = value
                    }
                }
            }
        }
    }

    init(proto: Onnx_NodeProto) throws {
        guard proto.domain.isEmpty || proto.domain == "ai.onnx" else {
            throw ONNXError(.malformedModel, "node '\(proto.name)' (\(proto.opType)) is in domain '\(proto.domain)', not ai.onnx")
        }
        let attributes = try proto.attribute.map { attribute -> ONNXAttribute in
            switch attribute.type {
            case .int: return ONNXAttribute(name: attribute.name, value: .int(attribute.i))
            case .float: return ONNXAttribute(name: attribute.name, value: .float(attribute.f))
            default:
                throw ONNXError(.malformedModel, "node '\(proto.name)' attribute '\(attribute.name)' has type \(attribute.type); only int and float are read")
            }
        }
        self.init(name: proto.name, opType: proto.opType, inputs: proto.input, outputs: proto.output, attributes: attributes)
    }
}

extension ONNXTensor {
    func toProto() -> Onnx_TensorProto {
        Onnx_TensorProto.with {
            $0.name = name
            $0.dims = shape.map(Int64.init)
            $0.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            var raw = [UInt8]()
            raw.reserveCapacity(values.count * 4)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            $0.rawData = Data(raw)
        }
    }

    init(proto: Onnx_TensorProto) throws {
        guard proto.dataType == Int32(Onnx_TensorProto.DataType.float.rawValue) else {
            throw ONNXError(.malformedModel, "tensor '\(proto.name)' has data_type \(proto.dataType); only FLOAT (1) is read")
        }
        let shape = proto.dims.map { Int($0) }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard size >= 0, !overflow, product <= Int(Int32.max) else {
                throw ONNXError(.malformedModel, "tensor '\(proto.name)' has dims \(proto.dims)")
            }
            count = product
        }
        let values: [Float]
        if proto.hasRawData {
            let raw = [UInt8](proto.rawData)
            guard raw.count == count * 4 else {
                throw ONNXError(.malformedModel, "tensor '\(proto.name)' of shape \(shape) has \(raw.count) raw bytes, expected \(count * 4)")
            }
            values = (0..<count).map { index in
                Float(bitPattern: UInt32(littleEndian: raw[(index * 4)..<(index * 4 + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
            }
        } else {
            guard proto.floatData.count == count else {
                throw ONNXError(.malformedModel, "tensor '\(proto.name)' of shape \(shape) has \(proto.floatData.count) float_data values, expected \(count)")
            }
            values = proto.floatData
        }
        self.init(name: proto.name, shape: shape, values: values)
    }
}

extension ONNXValueInfo {
    func toProto() -> Onnx_ValueInfoProto {
        Onnx_ValueInfoProto.with {
            $0.name = name
            $0.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            $0.type.tensorType.shape.dim = shape.map { dimension in
                Onnx_TensorShapeProto.Dimension.with {
                    switch dimension {
                    case .fixed(let size): $0.dimValue = Int64(size)
                    case .symbol(let symbol): $0.dimParam = symbol
                    }
                }
            }
        }
    }

    init(proto: Onnx_ValueInfoProto) throws {
        guard case .tensorType(let tensor)? = proto.type.value, tensor.elemType == Int32(Onnx_TensorProto.DataType.float.rawValue) else {
            throw ONNXError(.malformedModel, "value '\(proto.name)' is not a float32 tensor (type \(proto.type))")
        }
        let shape = try tensor.shape.dim.map { dimension -> Dimension in
            switch dimension.value {
            case .dimValue(let size)?: return .fixed(Int(size))
            case .dimParam(let symbol)?: return .symbol(symbol)
            case nil: throw ONNXError(.malformedModel, "value '\(proto.name)' has a dimension with neither size nor symbol")
            }
        }
        self.init(name: proto.name, shape: shape)
    }
}
