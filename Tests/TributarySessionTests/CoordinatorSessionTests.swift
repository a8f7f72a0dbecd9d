import Testing
import TributarySession
import TributaryWire

@Suite("CoordinatorSession")
struct CoordinatorSessionTests {
    let t0 = Fixtures.t0

    @Test("speaks first: Welcome and a Hello deadline")
    func welcomeFirst() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3, configuration: Fixtures.configuration)
        let actions = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        #expect(actions == [
            .send(.welcome(Welcome(sessionID: "s-1", globalModelVersion: 3, heartbeatIntervalMilliseconds: 10_000))),
            .schedule(.handshake, at: t0 + .seconds(5)),
        ])
    }

    @Test("a refused certificate gets Reject with its code, then close")
    func refused() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3)
        let actions = session.connected(admission: .refuse(Reject(code: .revoked, reason: "client edge-1 is revoked")), now: t0)
        #expect(actions.sentRejectCode == .revoked)
        #expect(actions.closeError??.code == .revoked)
        #expect(session.isClosed)
    }

    @Test("Hello with the certificate's identity opens the session")
    func helloOpens() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3, configuration: Fixtures.configuration)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        let actions = session.received(.hello(Fixtures.hello()), now: t0 + .seconds(1))
        #expect(actions == [
            .cancel(.handshake),
            .schedule(.heartbeat, at: t0 + .seconds(11)),
            .schedule(.idle, at: t0 + .seconds(31)),
            .deliver(.hello(Fixtures.hello())),
        ])
        #expect(session.clientID == "edge-1")
    }

    @Test("revoked while open: Goodbye REVOKED naming the client, then close with code revoked")
    func revokedWhileOpen() {
        var session = Fixtures.openCoordinator()
        let actions = session.revoked(detail: "client edge-1 (certificate serial 0A) is revoked")
        #expect(actions.contains(.send(.goodbye(Goodbye(reason: .revoked, detail: "client edge-1 (certificate serial 0A) is revoked")))))
        #expect(actions.closeError??.code == .revoked)
        #expect(session.isClosed)
        #expect(session.revoked(detail: "again").isEmpty)
    }

    @Test("Hello claiming another identity: Reject identityMismatch naming both ids")
    func identityMismatch() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        let actions = session.received(.hello(Fixtures.hello("edge-2")), now: t0)
        #expect(actions.sentRejectCode == .identityMismatch)
        guard case .reject(let reject)? = actions.sent.first else { Issue.record("no Reject"); return }
        #expect(reject.reason.contains("edge-2") && reject.reason.contains("edge-1"))
        #expect(actions.closeError??.code == .identityMismatch)
    }

    @Test("wrong Hello protocol version: Error unsupportedProtocolVersion, then close")
    func wrongVersion() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        let actions = session.received(.hello(Fixtures.hello(version: 9)), now: t0)
        #expect(actions.sentErrorCode == .unsupportedProtocolVersion)
        #expect(actions.closeError??.code == .unsupportedProtocolVersion)
        #expect(session.isClosed)
        #expect(session.received(.hello(Fixtures.hello()), now: t0).isEmpty)  // nothing after close
    }

    @Test("Update before Hello is out of sequence")
    func updateBeforeHello() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        let actions = session.received(.update(Fixtures.update()), now: t0)
        #expect(actions.sentErrorCode == .outOfSequence)
        #expect(actions.delivered.isEmpty)
    }

    @Test("a second Hello is out of sequence")
    func secondHello() {
        var session = Fixtures.openCoordinator()
        #expect(session.received(.hello(Fixtures.hello()), now: t0).sentErrorCode == .outOfSequence)
    }

    @Test("Update for a round not offered, or at another base version, is out of sequence")
    func updateNotOffered() throws {
        var session = Fixtures.openCoordinator()
        #expect(session.received(.update(Fixtures.update(round: 7)), now: t0).sentErrorCode == .outOfSequence)

        var other = Fixtures.openCoordinator()
        _ = try other.send(.roundOffer(Fixtures.offer(round: 7, base: 3)), now: t0)
        #expect(other.received(.update(Fixtures.update(round: 7, base: 2)), now: t0).sentErrorCode == .outOfSequence)
    }

    @Test("an Update for the offered round is delivered once")
    func updateDelivered() throws {
        var session = Fixtures.openCoordinator()
        let sent = try session.send(.roundOffer(Fixtures.offer()), now: t0)
        #expect(sent == [.send(.roundOffer(Fixtures.offer()))])
        #expect(session.received(.update(Fixtures.update()), now: t0) == [.deliver(.update(Fixtures.update()))])
        #expect(session.received(.update(Fixtures.update()), now: t0).sentErrorCode == .outOfSequence)
    }

    @Test("a withdrawn round refuses late Updates")
    func withdrawn() throws {
        var session = Fixtures.openCoordinator()
        _ = try session.send(.roundOffer(Fixtures.offer()), now: t0)
        session.withdraw(roundID: 7)
        #expect(session.received(.update(Fixtures.update()), now: t0).sentErrorCode == .outOfSequence)
    }

    @Test("messages only the coordinator sends are refused from a client")
    func wrongDirection() {
        var session = Fixtures.openCoordinator()
        #expect(session.received(.roundOffer(Fixtures.offer()), now: t0).sentErrorCode == .outOfSequence)
        var other = Fixtures.openCoordinator()
        #expect(other.received(.updateReceipt(UpdateReceipt(roundID: 7, status: .accepted)), now: t0).sentErrorCode == .outOfSequence)
    }

    @Test("Ready is delivered; an UpdateReceipt can be sent on an open session")
    func readyAndReceipt() throws {
        var session = Fixtures.openCoordinator()
        let ready = Ready(device: DeviceFacts(examplesAvailable: 50, charging: true, meteredNetwork: false, modelVersion: 3), trigger: "volume")
        #expect(session.received(.ready(ready), now: t0) == [.deliver(.ready(ready))])
        let receipt = UpdateReceipt(roundID: 7, status: .late, reason: "round 7 closed")
        #expect(try session.send(.updateReceipt(receipt), now: t0) == [.send(.updateReceipt(receipt))])
    }

    @Test("no Hello before the deadline: Goodbye idle timeout and close")
    func helloDeadline() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3, configuration: Fixtures.configuration)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        let actions = session.timerFired(.handshake, now: t0 + .seconds(5))
        #expect(actions.sent == [.goodbye(Goodbye(reason: .idleTimeout, detail: "no Hello within 5.0 seconds after Welcome"))])
        #expect(actions.closeError??.code == .handshakeTimeout)
    }

    @Test("heartbeats count up and reschedule")
    func heartbeats() {
        var session = Fixtures.openCoordinator()
        let first = session.timerFired(.heartbeat, now: t0 + .seconds(10), unixMilliseconds: 42)
        #expect(first == [.send(.heartbeat(Heartbeat(sequence: 1, unixMilliseconds: 42))),
                          .schedule(.heartbeat, at: t0 + .seconds(20))])
        let second = session.timerFired(.heartbeat, now: t0 + .seconds(20), unixMilliseconds: 43)
        #expect(second.sent == [.heartbeat(Heartbeat(sequence: 2, unixMilliseconds: 43))])
    }

    @Test("idle check: traffic pushes the deadline; silence ends the session")
    func idle() {
        var session = Fixtures.openCoordinator()
        _ = session.received(.heartbeat(Heartbeat(sequence: 1, unixMilliseconds: 0)), now: t0 + .seconds(20))
        #expect(session.timerFired(.idle, now: t0 + .seconds(30)) == [.schedule(.idle, at: t0 + .seconds(50))])
        let actions = session.timerFired(.idle, now: t0 + .seconds(50))
        #expect(actions.closeError??.code == .idleTimeout)
        guard case .goodbye(let goodbye)? = actions.sent.first else { Issue.record("no Goodbye"); return }
        #expect(goodbye.reason == .idleTimeout)
    }

    @Test("a client held back by the inbound limit is sending, not silent: the idle check keeps it")
    func peerIsSending() {
        var session = Fixtures.openCoordinator()
        session.peerIsSending(now: t0 + .seconds(45))
        #expect(session.timerFired(.idle, now: t0 + .seconds(50)) == [.schedule(.idle, at: t0 + .seconds(75))])
        #expect(!session.isClosed)
    }

    @Test("a refused frame becomes an Error frame with the decoder's code")
    func decodingFailed() {
        var session = Fixtures.openCoordinator()
        let actions = session.decodingFailed(WireError(.frameTooLarge, "frame length prefix is 9999999 bytes"))
        #expect(actions.sentErrorCode == .frameTooLarge)
        #expect(actions.closeError??.code == .frameTooLarge)
    }

    @Test("Goodbye done ends cleanly; disconnect without it is reported")
    func endings() {
        var clean = Fixtures.openCoordinator()
        let actions = clean.received(.goodbye(Goodbye(reason: .done)), now: t0)
        #expect(actions.closeError == .some(nil))
        #expect(clean.disconnected() == nil)

        var abrupt = Fixtures.openCoordinator()
        #expect(abrupt.disconnected()?.code == .connectionClosed)
    }

    @Test("the application cannot send before Hello")
    func sendBeforeOpen() {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        #expect(throws: SessionError(.notReady, "")) { try session.send(.roundOffer(Fixtures.offer()), now: t0) }
    }

    @Test("configuration deadlines are validated")
    func configuration() {
        #expect(throws: SessionError(.invalidConfiguration, "")) {
            try SessionConfiguration(heartbeatInterval: .seconds(10), idleTimeout: .seconds(15)).validated()
        }
        #expect(throws: Never.self) { try SessionConfiguration().validated() }
    }
}
