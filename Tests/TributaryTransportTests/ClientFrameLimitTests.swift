import Foundation
import Testing
import TributaryCoordinatorTransport
import TributarySession
import TributaryTransport
import TributaryWire

/// Issue 10, item 13: a client announcing `max_frame_bytes` 4096 received a 9,787-byte frame.
@Suite("The client's max_frame_bytes over mutual TLS 1.3", .serialized)
struct ClientFrameLimitTests {
    @Test("a client announcing 4096 receives no frame over 4096 bytes; a 40 KB offer arrives whole, in chunks")
    func framesFitTheClientsLimit() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: try await fleet.serverConfiguration(),
                                                      logger: Samples.logger)
        let offer = Samples.offer(count: 10_000)
        let task = Task {
            try await server.run { client in
                try await client.connection.send(.roundOffer(offer))
                try await client.connection.send(.goodbye(Goodbye(reason: .done, detail: String(repeating: "d", count: 5000))))
                while (try? await client.connection.next()) != nil {}
            }
        }
        var hello = Samples.hello("edge-1")
        hello.capabilities.maxFrameBytes = 4096
        let client = try await RawTLSClient.connect(port: server.localAddress.port!, configuration: try fleet.edgeConfiguration(try fleet.client("edge-1")))
        let (first, frames) = try await client.exchangeFrames(try FrameCodec.encode(.hello(hello)))
        guard case .welcome = first else { Issue.record("first frame: \(String(describing: first))"); return }

        let oversized = frames.map { $0.count - 4 }.filter { $0 > 4096 }
        #expect(oversized.isEmpty, "frame bodies over the client's 4096 bytes: \(oversized)")
        var reassembler = ChunkReassembler()
        var messages: [WireMessage] = []
        for frame in frames {
            let message = try FrameCodec.decode(frame)
            if case .chunk(let chunk) = message {
                if let whole = try reassembler.receive(chunk) { messages.append(whole) }
            } else {
                messages.append(message)
            }
        }
        #expect(frames.count > 10)
        #expect(messages.first == .roundOffer(offer))
        guard case .goodbye(let goodbye)? = messages.last else { Issue.record("last message: \(String(describing: messages.last))"); return }
        #expect(goodbye.detail.count == 5000)
        task.cancel()
        await server.close()
        _ = try? await task.value
    }

    @Test("a client announcing 100 is refused with Reject FRAME_LIMIT_TOO_SMALL naming the value")
    func tooSmallIsRefused() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let server = try await RunningServer(configuration: try await fleet.serverConfiguration())
        var hello = Samples.hello("edge-1")
        hello.capabilities.maxFrameBytes = 100
        let client = try await RawTLSClient.connect(port: server.port, configuration: try fleet.edgeConfiguration(try fleet.client("edge-1")))
        let (_, replies) = try await client.exchange(try FrameCodec.encode(.hello(hello)))
        guard case .reject(let reject)? = replies.first else { Issue.record("replies: \(replies)"); return }
        #expect(reject.code == .frameLimitTooSmall)
        #expect(reject.reason.contains("max_frame_bytes is 100"), "\(reject.reason)")
        await server.stop()
    }
}
