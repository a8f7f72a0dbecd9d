import Testing
import TributarySession
import TributaryWire

@Suite("EdgeSession")
struct EdgeSessionTests {
    let t0 = Fixtures.t0

    @Test("waits for the coordinator, with a deadline, before sending anything")
    func waitsFirst() {
        var session = EdgeSession(hello: Fixtures.hello(), configuration: Fixtures.configuration)
        #expect(session.connected(now: t0) == [.schedule(.handshake, at: t0 + .seconds(5))])
        let timeout = session.timerFired(.handshake, now: t0 + .seconds(5))
        #expect(timeout.sent.isEmpty)
        #expect(timeout.closeError??.code == .handshakeTimeout)
    }

    @Test("Welcome: Hello goes out, heartbeats at the shorter interval")
    func welcome() {
        var session = EdgeSession(hello: Fixtures.hello(), configuration: Fixtures.configuration)
        _ = session.connected(now: t0)
        let actions = session.received(.welcome(Fixtures.welcome(heartbeatMilliseconds: 2_000)), now: t0)
        #expect(actions == [
            .cancel(.handshake),
            .send(.hello(Fixtures.hello())),
            .schedule(.heartbeat, at: t0 + .seconds(2)),
            .schedule(.idle, at: t0 + .seconds(30)),
            .deliver(.welcome(Fixtures.welcome(heartbeatMilliseconds: 2_000))),
        ])
    }

    @Test("Reject ends the session with the coordinator's code and reason", arguments: [
        (Reject.Code.revoked, SessionError.Code.revoked),
        (.identityMismatch, .identityMismatch),
        (.certificateRefused, .certificateRefused),
        (.shuttingDown, .shuttingDown),
        (Reject.Code(rawValue: 99), .rejected),
    ])
    func rejected(reject: Reject.Code, expected: SessionError.Code) {
        var session = EdgeSession(hello: Fixtures.hello())
        _ = session.connected(now: t0)
        let actions = session.received(.reject(Reject(code: reject, reason: "client edge-1 is revoked")), now: t0)
        let error: SessionError? = actions.closeError ?? nil
        #expect(error?.code == expected)
        #expect(error?.origin == .peer)
        #expect(error?.description == "coordinator rejected this client: client edge-1 is revoked (code \(expected))")
        #expect(actions.sent.isEmpty)
    }

    @Test("Welcome with an unsupported version: Error, then close")
    func wrongVersion() {
        var session = EdgeSession(hello: Fixtures.hello())
        _ = session.connected(now: t0)
        let actions = session.received(.welcome(Fixtures.welcome(version: 7)), now: t0)
        #expect(actions.sentErrorCode == .unsupportedProtocolVersion)
    }

    @Test("anything before Welcome is out of sequence")
    func offerBeforeWelcome() {
        var session = EdgeSession(hello: Fixtures.hello())
        _ = session.connected(now: t0)
        #expect(session.received(.roundOffer(Fixtures.offer()), now: t0).sentErrorCode == .outOfSequence)
    }

    @Test("an offer is delivered; only an Update for it may leave, once")
    func offerAndUpdate() throws {
        var session = Fixtures.openEdge()
        #expect(session.received(.roundOffer(Fixtures.offer()), now: t0) == [.deliver(.roundOffer(Fixtures.offer()))])
        #expect(throws: SessionError(.notReady, "")) { try session.send(.update(Fixtures.update(round: 8)), now: t0) }
        #expect(throws: SessionError(.notReady, "")) { try session.send(.update(Fixtures.update(base: 1)), now: t0) }
        #expect(try session.send(.update(Fixtures.update()), now: t0) == [.send(.update(Fixtures.update()))])
        #expect(throws: SessionError(.notReady, "")) { try session.send(.update(Fixtures.update()), now: t0) }
    }

    @Test("ModelRelease is delivered; an Error from the coordinator ends the session naming its code")
    func releaseAndError() {
        var session = Fixtures.openEdge()
        let release = ModelRelease(version: 4, parentVersion: 3, model: .full(Fixtures.parameters()))
        #expect(session.received(.modelRelease(release), now: t0) == [.deliver(.modelRelease(release))])
        let actions = session.received(.error(ErrorMessage(code: .frameTooLarge, message: "frame is 9 MB")), now: t0)
        #expect(actions.closeError??.code == .frameTooLarge)
        #expect(actions.closeError??.description == "coordinator refused a frame from this client: frame is 9 MB (code frameTooLarge)")
    }

    @Test("an idle coordinator ends the session with Goodbye")
    func idle() {
        var session = Fixtures.openEdge()
        let actions = session.timerFired(.idle, now: t0 + .seconds(30))
        #expect(actions.closeError??.code == .idleTimeout)
    }

    @Test("Goodbye REVOKED from the coordinator ends the session with code revoked")
    func goodbyeRevoked() {
        var session = Fixtures.openEdge()
        let actions = session.received(.goodbye(Goodbye(reason: .revoked, detail: "client edge-1 is revoked")), now: t0)
        #expect(actions.closeError??.code == .revoked)
        #expect(actions.closeError??.description.contains("the coordinator revoked this client: client edge-1 is revoked") == true)
        #expect(session.isClosed)
    }

    @Test("Goodbye done from the coordinator is a clean end")
    func goodbye() {
        var session = Fixtures.openEdge()
        let actions = session.received(.goodbye(Goodbye(reason: .done)), now: t0)
        #expect(actions.delivered == [.goodbye(Goodbye(reason: .done))])
        #expect(actions.closeError == .some(nil))
    }

    @Test("an edge sends Ready and receives UpdateReceipts; it never receives Ready")
    func readyAndReceipt() throws {
        var session = Fixtures.openEdge()
        let ready = Ready(device: DeviceFacts(examplesAvailable: 50, charging: true, meteredNetwork: false, modelVersion: 3), trigger: "drift")
        #expect(try session.send(.ready(ready), now: Fixtures.t0) == [.send(.ready(ready))])
        let receipt = UpdateReceipt(roundID: 7, status: .accepted)
        #expect(session.received(.updateReceipt(receipt), now: Fixtures.t0) == [.deliver(.updateReceipt(receipt))])
        #expect(session.received(.ready(ready), now: Fixtures.t0).sentErrorCode == .outOfSequence)
    }
}
