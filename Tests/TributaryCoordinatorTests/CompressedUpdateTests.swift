import Foundation
import Testing
import TributaryCompression
import TributaryConfig
@testable import TributaryCoordinator
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryNumerics
import TributaryWire

/// Compressed Updates at the coordinator: the plan states the encoding only to clients that
/// announced "compression"; what arrives is decoded by the plan its sender was given, and a
/// payload that is not what that plan asked for, or that does not decode, is refused INVALID with
/// a reason naming it, while the round goes on.
@Suite struct CompressedUpdateTests {
    static let int8 = UpdateEncoding(delta: .int8, fisher: .int8, blockSize: 64)

    /// A round of two: "a" announces "compression", "b" does not; both have their offers.
    struct Round {
        let engine: CoordinatorEngine
        var a: FakeClient, b: FakeClient
        let offerA: RoundOffer, offerB: RoundOffer
    }

    func start(_ world: TestWorld, log: EventLog) async throws -> Round {
        var configuration = try world.configuration(target: 2)
        configuration.evaluation.heldOut = []
        configuration.compression = Self.int8
        let engine = try await world.engine(configuration, log: log)
        var a = try await FakeClient.connect("a", to: engine, features: [UpdateEncoding.feature])
        var b = try await FakeClient.connect("b", to: engine)
        let offerA = try #require(await a.nextOffer())
        let offerB = try #require(await b.nextOffer())
        return Round(engine: engine, a: a, b: b, offerA: offerA, offerB: offerB)
    }

    @Test func onlyClientsThatAnnounceCompressionAreToldToCompressAndTheirUpdatesAreAccepted() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        let log = EventLog()
        let round = try await start(world, log: log)
        let (engine, offerA, offerB) = (round.engine, round.offerA, round.offerB)
        var (a, b) = (round.a, round.b)
        #expect(offerA.plan.encoding == Self.int8)
        #expect(offerB.plan.encoding == nil, "a client that did not announce the feature is told nothing new")

        let compressed = try EdgeTrainer(local: nil, data: world.shares[0], seed: 5).answerEncoded(offerA).update
        #expect(compressed.delta.count == 0 && compressed.fisher == nil)
        let deltaBytes = try #require(compressed.compressedDelta), fisherBytes = try #require(compressed.compressedFisher)
        await a.send(compressed, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        let plain = try EdgeTrainer(local: nil, data: world.shares[1], seed: 5).answerEncoded(offerB).update
        #expect(plain.compressedDelta == nil && plain.delta.count > 0)
        await b.send(plain, to: engine)
        #expect(await b.nextReceipt()?.status == .accepted)

        let summary = try #require(log.all.compactMap { if case .roundClosed(let s) = $0 { s } else { nil } }.first, "\(log.lines)")
        #expect(summary.updates == 2 && summary.promoted, "\(summary.gateReasons)")
        // The bytes received are those that came: the compressed payloads, and b's Float32 tensors.
        let parameters = engine.layout.totalCount
        #expect(summary.bytesReceived == deltaBytes.count + fisherBytes.count + 2 * 4 * parameters)
        #expect(deltaBytes.count + fisherBytes.count <= Int(0.27 * Double(2 * 4 * parameters)))
    }

    @Test func aPayloadNotAsThePlanSaidOrThatDoesNotDecodeIsRefusedNamingItAndTheRoundGoesOn() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        let log = EventLog()
        let round = try await start(world, log: log)
        let (engine, offerA, offerB) = (round.engine, round.offerA, round.offerB)
        var (a, b) = (round.a, round.b)
        let good = try EdgeTrainer(local: nil, data: world.shares[0], seed: 5).answerEncoded(offerA).update
        let plainA = try EdgeTrainer(local: nil, data: world.shares[0], seed: 5).answer(offerA).update
        let goodDelta = try #require(good.compressedDelta)
        let layout = engine.layout
        var generator = SeededGenerator(seed: 3)

        var crafted: [(update: Update, reason: String)] = []
        func with(delta bytes: [UInt8]) -> Update {
            var update = good
            update.compressedDelta = bytes
            return update
        }
        // An int8 value of −128 (the body's last byte), a truncated payload, trailing bytes.
        var negative = goodDelta
        negative[negative.count - 1] = 0x80
        crafted.append((with(delta: negative), "value[\(layout.totalCount - 1)] is −128"))
        crafted.append((with(delta: Array(goodDelta.dropLast(10))), "Update.compressed_delta (\(goodDelta.count - 10) bytes) cannot be decoded: truncated"))
        crafted.append((with(delta: goodDelta + [0]), "trailingBytes"))
        // Another format (fp16 where int8 was asked), a wrong magic, another block size, another count.
        let values = try LearningWire.flatten(plainA.delta, layout: layout, field: "delta")
        crafted.append((with(delta: try Float16Vector(encoding: values).serialized), "payload is format 2 (float16); expected 1 (int8Blocks)"))
        var magic = goodDelta
        magic[0] = 0x00
        crafted.append((with(delta: magic), "expected the magic 54 43"))
        crafted.append((with(delta: try Int8Quantizer(blockSize: 32).encode(values, generator: &generator).serialized),
                        "uses int8 blocks of 32; the plan's block size is 64"))
        crafted.append((with(delta: try Int8Quantizer(blockSize: 64).encode(Array(values.dropLast()), generator: &generator).serialized),
                        "holds \(layout.totalCount - 1) values; the model has \(layout.totalCount) parameters"))
        // A Float32 delta where the plan asked for int8, and a Fisher of negative values.
        crafted.append((plainA, "Update.compressed_delta is absent; this client's plan asked for a int8 delta there"))
        var negativeFisher = good
        negativeFisher.compressedFisher = try Int8Quantizer(blockSize: 64).encode(values.map { -abs($0) - 1 }, generator: &generator).serialized
        crafted.append((negativeFisher, "fisher[0] (dense1.weight[0]) is -"))
        for (update, reason) in crafted {
            await a.send(update, to: engine)
            let receipt = try #require(await a.nextReceipt())
            #expect(receipt.status == .invalid, "\(reason): \(receipt.status) \(receipt.reason)")
            #expect(receipt.reason.contains(reason), "expected '\(reason)' in: \(receipt.reason)")
        }

        // b was told fp32: a compressed Update from it is refused too.
        var compressedB = try EdgeTrainer(local: nil, data: world.shares[1], seed: 5).answer(offerB).update
        let plainB = compressedB
        compressedB.compressedDelta = goodDelta
        compressedB.delta = try ParameterSet([])
        await b.send(compressedB, to: engine)
        let refusedB = try #require(await b.nextReceipt())
        #expect(refusedB.status == .invalid && refusedB.reason.contains("this client's plan asked for an fp32 delta in Update.delta"), "\(refusedB.reason)")
        #expect(await engine.status().roundsEnded == 0)

        await a.send(good, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        await b.send(plainB, to: engine)
        #expect(await b.nextReceipt()?.status == .accepted)
        let summary = try #require(log.all.compactMap { if case .roundClosed(let s) = $0 { s } else { nil } }.first, "\(log.lines)")
        #expect(summary.updates == 2)
    }

    @Test func aTopKDeltaGoesOnlyToClientsThatAnnounceItOthersSendFp32WithTheConfiguredFisher() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        var configuration = try world.configuration(target: 2)
        configuration.compression = UpdateEncoding(delta: .topk, fisher: .fp16, topKFraction: 0.2)
        let engine = try await world.engine(configuration, log: EventLog())
        var topK = try await FakeClient.connect("a", to: engine, features: [UpdateEncoding.feature, UpdateEncoding.topKFeature])
        var int8Only = try await FakeClient.connect("b", to: engine, features: [UpdateEncoding.feature])
        #expect(await topK.nextOffer()?.plan.encoding == configuration.compression)
        #expect(await int8Only.nextOffer()?.plan.encoding == UpdateEncoding(delta: .fp32, fisher: .fp16))
    }

    @Test(arguments: [
        ("compression.delta=int4", "compression.delta is \"int4\"; must be one of fp32, int8, topk"),
        ("compression.fisher=bf16", "compression.fisher is \"bf16\"; must be one of fp32, fp16, int8, sqrt_int8"),
        ("compression.block_size=0", "compression.block_size is \"0\"; must be in 1...1048576"),
        ("compression.topk_fraction=1.5", "compression.topk_fraction is \"1.5\"; must be in 1e-06...1.0"),
    ])
    func configurationErrorsNameTheKeyAndTheValue(override: String, message: String) throws {
        let error = try #require(throws: ConfigError.self) {
            try CoordinatorConfiguration.load(contentsOf: ConfigurationTests.example, overrides: [override])
        }
        #expect("\(error)".contains(message), "\(error)")
    }

    @Test func theCompressionKeysAreReadAndFp32IsTheDefault() throws {
        #expect(try CoordinatorConfiguration.load(contentsOf: ConfigurationTests.example).compression == .fp32)
        let set = try CoordinatorConfiguration.load(contentsOf: ConfigurationTests.example, overrides: [
            "compression.delta=topk", "compression.topk_fraction=0.05", "compression.fisher=sqrt_int8", "compression.block_size=128",
        ]).compression
        #expect(set == UpdateEncoding(delta: .topk, fisher: .sqrtInt8, blockSize: 128, topKFraction: 0.05))
    }
}
