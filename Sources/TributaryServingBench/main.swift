// Serving on the edge: predict latency (one example, p50/p99) and throughput (batches of 64) on a
// 64-64-10 and a ~100k-parameter (64-512-128-10) model, in process (`Predictor`, as
// `EdgeAgent.predict` calls it) and over loopback HTTP (`POST /v1/predict` through the edge's
// endpoint, a keep-alive client on a raw socket); the feedback store's ingest rate for logged
// predictions; the RSS of this process, which holds what a serving agent holds (the model, the
// store, the endpoint). Every served prediction is logged, as on the edge.
//
// Usage: bash scripts/bench-serving.sh   (builds in release mode and runs this)
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TributaryEdge
import TributaryFeedback
import TributaryFeedbackHTTP
import TributaryLearning

BLAS.useOneThreadUnlessConfigured()

/// A blocking HTTP/1.1 keep-alive client on one socket: the request, then the response by its Content-Length.
final class LoopbackClient {
    let fd: Int32
    var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(connected == 0, "cannot connect to 127.0.0.1:\(port)")
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// POSTs `body` to `path`; returns the status and the response body.
    func post(_ path: String, _ body: [UInt8]) -> (status: Int, body: [UInt8]) {
        let request = Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            precondition(n > 0, "send failed")
            sent += n
        }
        var received: [UInt8] = []
        var headerEnd: Int?, contentLength = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            precondition(n > 0, "the server closed the connection")
            received += buffer[0..<n]
            if headerEnd == nil, let end = Self.find([13, 10, 13, 10], in: received) {
                headerEnd = end + 4
                let head = String(decoding: received[0..<end], as: UTF8.self).lowercased()
                contentLength = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            }
            if let headerEnd, received.count >= headerEnd + contentLength {
                let status = Int(String(decoding: received[9..<12], as: UTF8.self)) ?? 0
                return (status, Array(received[headerEnd..<(headerEnd + contentLength)]))
            }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
}

/// (p50 µs, p99 µs) of `count` calls of `body`, after `count / 10` warm-up calls.
func latency(_ count: Int, _ body: () throws -> Void) rethrows -> (Double, Double) {
    for _ in 0..<(count / 10) { try body() }
    let clock = ContinuousClock()
    var samples: [Double] = []
    samples.reserveCapacity(count)
    for _ in 0..<count {
        samples.append(seconds(try clock.measure(body)) * 1e6)
    }
    return (percentile(samples, 0.5), percentile(samples, 0.99))
}

/// Examples per second over `batches` calls of `body`, each predicting `size` examples.
func throughput(_ batches: Int, size: Int, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<max(1, batches / 10) { try body() }
    let elapsed = seconds(try ContinuousClock().measure { for _ in 0..<batches { try body() } })
    return Double(batches * size) / elapsed
}

func rss() -> (current: Int, peak: Int) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Int {
        status.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { Int($0.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? "") } ?? 0
    }
    return (field("VmRSS:") / 1024, field("VmHWM:") / 1024)
}

func store(in dir: String, name: String, features: Int) throws -> FeedbackStore {
    try FeedbackStore(path: "\(dir)/\(name).sqlite", configuration: .init(featureCount: features, classCount: 10, maxPredictions: 10_000))
}

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serving-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }
var generator = SeededGenerator(seed: 7)
let features = 64
let examples = (0..<256).map { _ in (0..<features).map { _ in generator.nextGaussian() } }
func json(_ rows: ArraySlice<[Float]>) -> [UInt8] {
    Array(("{\"instances\":[" + rows.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]}").utf8)
}

#if DEBUG
let build = "debug build"
#else
let build = "release build"
#endif
print("serving on the edge (\(build), one BLAS thread; every served prediction logged in the store: SQLite WAL, synchronous=NORMAL, one transaction per request)")
print("")
print("| model | parameters | path | 1 example p50 | 1 example p99 | batch of 64 |")
print("|---|---|---|---|---|---|")
for hidden in [[64], [512, 128]] {
    var checkpoint = try Checkpoint.fresh(spec: try ModelSpec.mlp(input: features, hidden: hidden, outputs: 10), seed: 3)
    checkpoint.metadata[ModelAdoption.versionKey] = "1"
    let name = "\(features)-\(hidden.map(String.init).joined(separator: "-"))-10"
    let slot = ServingSlot(try ServedModel(checkpoint: checkpoint))
    let logged = Predictor(slot: slot, store: try store(in: dir, name: name, features: features))
    let bare = Predictor(slot: slot, store: nil)
    var i = 0
    func next() -> [Float] { i = (i + 1) % examples.count; return examples[i] }
    let row = { (path: String, p: (Double, Double), rate: Double) in
        print("| \(name) | \(checkpoint.parameters.count) | \(path) | \(String(format: "%.0f µs", p.0)) | \(String(format: "%.0f µs", p.1)) | \(String(format: "%.0f examples/s", rate)) |")
    }
    row("model only (no log)", try latency(2_000) { _ = try bare.predict([next()]) },
        try throughput(200, size: 64) { _ = try bare.predict(Array(examples[0..<64])) })
    row("in process (EdgeAgent.predict path)", try latency(2_000) { _ = try logged.predict([next()]) },
        try throughput(200, size: 64) { _ = try logged.predict(Array(examples[0..<64])) })
    let api = FeedbackAPI(store: logged.store!, predictor: logged)
    let server = try await FeedbackHTTPServer.start(api: api)
    let client = LoopbackClient(port: server.port)
    let singles = (0..<examples.count).map { json(examples[$0...$0]) }
    let batch = json(examples[0..<64])
    precondition(client.post("/v1/predict", singles[0]).status == 200, "the endpoint does not answer 200")
    row("loopback HTTP POST /v1/predict", latency(1_000) { i = (i + 1) % singles.count; _ = client.post("/v1/predict", singles[i]) },
        throughput(100, size: 64) { _ = client.post("/v1/predict", batch) })
    try await server.close()
}

print("")
let ingest = try store(in: dir, name: "ingest", features: features)
let records = examples.map { PredictionLog.NewPrediction(features: $0, predictedClass: 3, probabilities: [Float](repeating: 0.1, count: 10), modelVersion: 1) }
let one = try throughput(5_000, size: 1) { _ = try ingest.predictions.log([records[0]]) }
let sixtyFour = try throughput(300, size: 64) { _ = try ingest.predictions.log(Array(records[0..<64])) }
print("prediction log ingest (64 features, 10 probabilities, quota 10,000): \(String(format: "%.0f", one)) records/s one per transaction, \(String(format: "%.0f", sixtyFour)) records/s 64 per transaction")
let memory = rss()
print("RSS of this process (both models, their stores, the endpoint): \(memory.current) MiB now, \(memory.peak) MiB peak")
