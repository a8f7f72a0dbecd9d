import Foundation
import Testing
import X509

@testable import TributaryCertificates

@Suite("Identities: ids, host names, peer certificates")
struct IdentityTests {
    @Test("client ids: the rule accepts plain ids", arguments: ["edge-0001", "a", "Device_7.eu-west", String(repeating: "x", count: 64)])
    func goodIDs(_ id: String) throws {
        #expect(try ClientID(id).uri == "tributary://client/\(id)")
    }

    @Test(
        "client ids: empty, separators, control characters and others are refused, quoting the value",
        arguments: [
            ("", "is empty"),
            ("a/b", "path separator"),
            ("..", "relative path"),
            ("a\\b", "path separator"),
            ("edge\n1", "control character U+A"),
            ("edge\u{7F}", "control character U+7F"),
            ("edge 1", "whitespace"),
            ("édge", "allowed: A-Z"),
            (String(repeating: "x", count: 65), "65 characters"),
        ]
    )
    func badIDs(_ id: String, _ why: String) async {
        await expectFleetError(.invalidClientID, mentioning: why) { _ = try ClientID(id) }
        await expectFleetError(.invalidClientID, mentioning: id.debugDescription) { _ = try ClientID(id) }
    }

    @Test("host names and IP addresses")
    func hostsAndAddresses() async throws {
        #expect(try ServerName("Coordinator.Example.ORG.").value == "coordinator.example.org")
        #expect(try IPAddress("10.1.2.3").bytes == [10, 1, 2, 3])
        #expect(try IPAddress("::1").bytes.count == 16)
        await expectFleetError(.invalidHostname, mentioning: "is empty") { _ = try ServerName("") }
        await expectFleetError(.invalidHostname, mentioning: "path separator") { _ = try ServerName("a/b") }
        await expectFleetError(.invalidHostname, mentioning: "control character") { _ = try ServerName("host\u{0}") }
        await expectFleetError(.invalidHostname, mentioning: "\"a..b\"") { _ = try ServerName("a..b") }
        await expectFleetError(.invalidHostname, mentioning: "wildcard") { _ = try ServerName("*.example.org") }
        await expectFleetError(.invalidIPAddress, mentioning: "\"300.1.1.1\"") { _ = try IPAddress("300.1.1.1") }
    }

    @Test("the identity comes from the SAN URI and must agree with the CN")
    func identityFromCertificate() async throws {
        let fleet = try TestFleet()
        #expect(try PeerIdentity.clientID(of: fleet.client.certificate).value == "edge-0001")

        let cnOnly = try mintLeaf(commonName: "legacy-7", issuer: fleet.ca)
        #expect(try PeerIdentity.clientID(of: cnOnly).value == "legacy-7")

        let uriOnly = try mintLeaf(commonName: nil, sans: [.uniformResourceIdentifier("tributary://client/uri-only")], issuer: fleet.ca)
        #expect(try PeerIdentity.clientID(of: uriOnly).value == "uri-only")

        let mismatch = try mintLeaf(commonName: "alice", sans: [.uniformResourceIdentifier("tributary://client/bob")], issuer: fleet.ca)
        await expectFleetError(.identityMismatch, mentioning: "\"alice\"") { _ = try PeerIdentity.clientID(of: mismatch) }

        let two = try mintLeaf(
            commonName: nil,
            sans: [.uniformResourceIdentifier("tributary://client/a"), .uniformResourceIdentifier("tributary://client/b")],
            issuer: fleet.ca
        )
        await expectFleetError(.identityMismatch, mentioning: "2 client URIs") { _ = try PeerIdentity.clientID(of: two) }

        let none = try mintLeaf(commonName: nil, sans: [.dnsName("x.example")], issuer: fleet.ca)
        await expectFleetError(.missingIdentity, mentioning: "O=Tributary tests") { _ = try PeerIdentity.clientID(of: none) }

        let traversal = try mintLeaf(commonName: nil, sans: [.uniformResourceIdentifier("tributary://client/../etc")], issuer: fleet.ca)
        await expectFleetError(.invalidClientID, mentioning: "\"../etc\"") { _ = try PeerIdentity.clientID(of: traversal) }
    }

    @Test("the peer verifier accepts a fleet client and refuses foreign, expired, server and revoked ones")
    func peerVerifier() async throws {
        let fleet = try TestFleet()
        var verifier = FleetPeerVerifier(trustRoot: fleet.ca.certificate)
        #expect(try await verifier.verifyClient(fleet.client.certificate, now: testNow) == ClientID("edge-0001"))

        var generator = SeededGenerator(seed: 9)
        let rogue = try FleetCA.create(configuration: FleetCAConfiguration(name: "rogue"), now: testNow, generator: &generator)
        let foreign = try rogue.issueClient(ClientID("edge-0001"), configuration: LeafCertificateConfiguration(), now: testNow, generator: &generator)
        await expectFleetError(.untrustedIssuer, mentioning: "Tributary fleet CA rogue") {
            _ = try await verifier.verifyClient(foreign.certificate, now: testNow)
        }
        await expectFleetError(.expired, mentioning: "CN=edge-0001") {
            _ = try await verifier.verifyClient(fleet.client.certificate, now: testNow + 400 * day)
        }
        await expectFleetError(.wrongExtendedKeyUsage, mentioning: "clientAuth") {
            _ = try await verifier.verifyClient(fleet.server.certificate, now: testNow)
        }
        await expectFleetError(.wrongExtendedKeyUsage, mentioning: "is a CA") {
            _ = try await verifier.verifyClient(fleet.ca.certificate, now: testNow)
        }

        verifier.denyList = try DenyList(parsing: "client edge-0001\n")
        await expectFleetError(.revoked, mentioning: "edge-0001") {
            _ = try await verifier.verifyClient(fleet.client.certificate, now: testNow)
        }
        verifier.denyList = try DenyList(parsing: "serial \(fleet.client.certificate.serialNumber.hexString.uppercased())\n")
        await expectFleetError(.revoked, mentioning: fleet.client.certificate.serialNumber.hexString) {
            _ = try await verifier.verifyClient(fleet.client.certificate, now: testNow)
        }
    }
}
