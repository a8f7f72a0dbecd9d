import Testing
import TributaryCertificates
import TributarySession
import TributarySystem
import TributaryTransport
import TributaryWire

/// The one error shape (`TributaryError<Domain>`) as the transport's users meet it: each domain
/// keeps the line a person reads, equality is the code (and the domain's detail), and each
/// module's error stays its own type for `catch`.
@Suite("Error shape")
struct ErrorShapeTests {
    @Test func eachDomainKeepsTheLineAPersonReads() {
        #expect("\(TransportError(.revoked, "client edge-7 is revoked"))" == "client edge-7 is revoked (code revoked)")
        #expect("\(SessionError(.idleTimeout, "no frame for 30 s", origin: .peer))" == "no frame for 30 s (code idleTimeout)")
        #expect("\(FleetCertificateError(.fileMissing, reason: "ca.pem does not exist"))" == "ca.pem does not exist (fileMissing)")
        #expect("\(WireError(.malformedFrame, "bad"))" == "WireError.malformedFrame: bad")
        #expect("\(FileError(.missing, path: "/x", reason: "cannot open /x"))" == "cannot open /x")
    }

    @Test func theDebugLineNamesTheDomainAndWhereTheErrorWasRaised() {
        let error = TransportError(.connectFailed, "cannot connect")
        #expect(String(reflecting: error).hasPrefix("TransportError.connectFailed: cannot connect TributaryTransportTests/ErrorShapeTests.swift:"))
    }

    @Test func equalityIsTheCodeAndTheDetailNotTheReason() {
        #expect(TransportError(.revoked, "one reason") == TransportError(.revoked, "another"))
        #expect(TransportError(.revoked, "x") != TransportError(.certificateExpired, "x"))
        #expect(SessionError(.goodbye, "x", origin: .peer) != SessionError(.goodbye, "x", origin: .local))
        #expect(FileError(.missing, path: "/a", reason: "x") != FileError(.missing, path: "/b", reason: "x"))
        #expect(TransportError(SessionError(.idleTimeout, "quiet")).code == .idleTimeout)
        #expect(TransportError(SessionError(.idleTimeout, "quiet")).reason == "quiet")
    }

    @Test func eachModuleErrorIsItsOwnTypeForCatch() {
        func kind(_ error: any Error) -> String {
            switch error {
            case is SessionError: "session"
            case is TransportError: "transport"
            case is WireError: "wire"
            default: "other"
            }
        }
        #expect(kind(SessionError(.notReady, "x")) == "session")
        #expect(kind(TransportError(.notReady, "x")) == "transport")
        #expect(kind(WireError(.invalidValue, "x")) == "wire")
        #expect(TransportError.Code(SessionError.Code.revoked) == .revoked)
        #expect(TransportError.Code.revoked.name == "revoked")
    }
}
