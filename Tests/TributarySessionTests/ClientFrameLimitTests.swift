import Testing
import TributarySession
import TributaryWire

/// Issue 10, item 13: a client's `Hello.capabilities.max_frame_bytes` was ignored.
@Suite("CoordinatorSession: the client's max_frame_bytes")
struct ClientFrameLimitTests {
    let t0 = Fixtures.t0

    func hello(maxFrameBytes: UInt32) -> Hello {
        var hello = Fixtures.hello()
        hello.capabilities.maxFrameBytes = maxFrameBytes
        return hello
    }

    @Test("a Hello announcing 4096 opens the session, and the session reports the limit for the shell to cut frames to")
    func limitIsKept() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3, configuration: Fixtures.configuration)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        _ = session.received(.hello(hello(maxFrameBytes: 4096)), now: t0)
        #expect(session.isOpen)
        #expect(session.clientMaxFrameBytes == 4096)
    }

    @Test("0 means the protocol default: no limit of the client's own")
    func zeroIsTheDefault() {
        #expect(Fixtures.openCoordinator().clientMaxFrameBytes == nil)
    }

    @Test("a Hello announcing less than the minimum is refused with Reject FRAME_LIMIT_TOO_SMALL naming the value and the minimum")
    func tooSmallIsRejected() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3, configuration: Fixtures.configuration)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        let actions = session.received(.hello(hello(maxFrameBytes: 100)), now: t0)
        #expect(actions.sentRejectCode == .frameLimitTooSmall)
        guard case .reject(let reject)? = actions.sent.first else { Issue.record("no Reject"); return }
        #expect(reject.reason.contains("max_frame_bytes is 100") && reject.reason.contains("\(CoordinatorSession.minimumClientFrameBytes)"), "\(reject.reason)")
        #expect(session.isClosed)
    }
}
