import Foundation
import Testing
import X509

@testable import TributaryCertificates

@Suite("Loading and verifying credentials")
struct FleetCredentialsTests {
    /// The whole chain on disk: ca.pem, a client pair and a server pair.
    struct Files {
        let temp: TemporaryDirectory
        let fleet: TestFleet
        let caPath: String
        let client: (String, String)
        let server: (String, String)

        init() throws {
            self.temp = try TemporaryDirectory()
            self.fleet = try TestFleet()
            self.caPath = try self.temp.write(try self.fleet.ca.certificate.pem, to: "ca.pem")
            self.client = try writePair(self.fleet.client, named: "edge-0001", in: self.temp)
            self.server = try writePair(self.fleet.server, named: "coordinator", in: self.temp)
        }
    }

    @Test("a client and a server load with their verified chains")
    func loadsGoodChain() async throws {
        let files = try Files()
        defer { files.temp.remove() }
        let client = try await FleetCredentials.load(
            certificate: files.client.0,
            key: files.client.1,
            trustRoot: files.caPath,
            role: .client,
            now: testNow
        )
        #expect(client.chain.count == 2)
        #expect(client.leaf == files.fleet.client.certificate)
        #expect(client.chain.last == files.fleet.ca.certificate)
        #expect(client.privateKey.publicKey == client.leaf.publicKey)
        #expect(try PeerIdentity.clientID(of: client.leaf) == ClientID("edge-0001"))

        let server = try await FleetCredentials.load(
            certificate: files.server.0,
            key: files.server.1,
            trustRoot: files.caPath,
            role: .server,
            now: testNow
        )
        #expect(server.leaf == files.fleet.server.certificate)
    }

    @Test("a missing file is named")
    func missingFile() async throws {
        let files = try Files()
        defer { files.temp.remove() }
        let absent = files.temp.file("nope.pem")
        await expectFleetError(.fileMissing, mentioning: absent) {
            _ = try await FleetCredentials.load(certificate: absent, key: files.client.1, trustRoot: files.caPath, now: testNow)
        }
        await expectFleetError(.fileMissing, mentioning: absent) {
            _ = try await FleetCredentials.load(certificate: files.client.0, key: absent, trustRoot: files.caPath, now: testNow)
        }
        await expectFleetError(.fileMissing, mentioning: absent) {
            _ = try await FleetCredentials.load(certificate: files.client.0, key: files.client.1, trustRoot: absent, now: testNow)
        }
    }

    @Test("a file that is not PEM, or PEM of the wrong kind, is named")
    func notPEM() async throws {
        let files = try Files()
        defer { files.temp.remove() }
        let garbage = try files.temp.write("hello, not a certificate\n", to: "garbage.pem")
        await expectFleetError(.notPEM, mentioning: garbage) {
            _ = try await FleetCredentials.load(certificate: garbage, key: files.client.1, trustRoot: files.caPath, now: testNow)
        }
        // The key given where the certificate belongs, and the other way round.
        await expectFleetError(.notPEM, mentioning: "expected CERTIFICATE") {
            _ = try await FleetCredentials.load(certificate: files.client.1, key: files.client.1, trustRoot: files.caPath, now: testNow)
        }
        await expectFleetError(.notPEM, mentioning: files.client.0) {
            _ = try await FleetCredentials.load(certificate: files.client.0, key: files.client.0, trustRoot: files.caPath, now: testNow)
        }
        let corrupt = try files.temp.write("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", to: "corrupt.pem")
        await expectFleetError(.notPEM, mentioning: corrupt) {
            _ = try await FleetCredentials.load(certificate: corrupt, key: files.client.1, trustRoot: files.caPath, now: testNow)
        }
    }

    @Test("a key that belongs to another certificate is refused, naming the key file")
    func keyMismatch() async throws {
        let files = try Files()
        defer { files.temp.remove() }
        await expectFleetError(.keyMismatch, mentioning: files.server.1) {
            _ = try await FleetCredentials.load(certificate: files.client.0, key: files.server.1, trustRoot: files.caPath, now: testNow)
        }
    }

    @Test("an expired or not-yet-valid certificate is refused at the injected time")
    func validity() async throws {
        let files = try Files()
        defer { files.temp.remove() }
        await expectFleetError(.expired, mentioning: files.client.0) {
            _ = try await FleetCredentials.load(
                certificate: files.client.0,
                key: files.client.1,
                trustRoot: files.caPath,
                now: testNow + 366 * day
            )
        }
        await expectFleetError(.notYetValid, mentioning: files.caPath) {
            _ = try await FleetCredentials.load(
                certificate: files.client.0,
                key: files.client.1,
                trustRoot: files.caPath,
                now: testNow - day
            )
        }
        // A leaf that expired while its CA is still fine.
        var generator = SeededGenerator(seed: 3)
        let olderCA = try FleetCA.create(configuration: FleetCAConfiguration(name: "old"), now: testNow - 100 * day, generator: &generator)
        let short = try olderCA.issueClient(
            ClientID("edge-short"),
            configuration: LeafCertificateConfiguration(validityDays: 1),
            now: testNow - 50 * day,
            generator: &generator
        )
        let olderCAPath = try files.temp.write(try olderCA.certificate.pem, to: "old-ca.pem")
        let shortPaths = try writePair(short, named: "edge-short", in: files.temp)
        await expectFleetError(.expired, mentioning: shortPaths.0) {
            _ = try await FleetCredentials.load(certificate: shortPaths.0, key: shortPaths.1, trustRoot: olderCAPath, now: testNow)
        }
        // Issuing from a CA outside its validity is refused.
        await expectFleetError(.expired, mentioning: "fleet CA CN=Tributary fleet CA old") {
            _ = try olderCA.issueClient(ClientID("late"), configuration: LeafCertificateConfiguration(), now: testNow + 4000 * day, generator: &generator)
        }
    }

    @Test("a trust root that is not a CA is refused, naming it")
    func notCA() async throws {
        let files = try Files()
        defer { files.temp.remove() }
        await expectFleetError(.notCertificateAuthority, mentioning: files.server.0) {
            _ = try await FleetCredentials.load(certificate: files.client.0, key: files.client.1, trustRoot: files.server.0, now: testNow)
        }
    }

    @Test("a certificate from another CA is refused, naming the certificate and the CA file")
    func otherCA() async throws {
        let files = try Files()
        defer { files.temp.remove() }
        var generator = SeededGenerator(seed: 7)
        let rogue = try FleetCA.create(configuration: FleetCAConfiguration(name: "rogue"), now: testNow, generator: &generator)
        let rogueClient = try rogue.issueClient(ClientID("edge-0001"), configuration: LeafCertificateConfiguration(), now: testNow, generator: &generator)
        let paths = try writePair(rogueClient, named: "rogue-client", in: files.temp)
        await expectFleetError(.untrustedIssuer, mentioning: paths.0) {
            _ = try await FleetCredentials.load(certificate: paths.0, key: paths.1, trustRoot: files.caPath, now: testNow)
        }
        await expectFleetError(.untrustedIssuer, mentioning: files.caPath) {
            _ = try await FleetCredentials.load(certificate: paths.0, key: paths.1, trustRoot: files.caPath, now: testNow)
        }
    }

    @Test("a certificate without the role's EKU is refused")
    func wrongUsage() async throws {
        let files = try Files()
        defer { files.temp.remove() }
        await expectFleetError(.wrongExtendedKeyUsage, mentioning: files.server.0) {
            _ = try await FleetCredentials.load(
                certificate: files.server.0,
                key: files.server.1,
                trustRoot: files.caPath,
                role: .client,
                now: testNow
            )
        }
        await expectFleetError(.wrongExtendedKeyUsage, mentioning: "serverAuth") {
            _ = try await FleetCredentials.load(
                certificate: files.client.0,
                key: files.client.1,
                trustRoot: files.caPath,
                role: .server,
                now: testNow
            )
        }
    }
}
