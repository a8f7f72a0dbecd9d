import Foundation
import Testing
import X509

@testable import TributaryCertificates

@Suite("Fleet CA and issuance")
struct FleetCATests {
    @Test("the CA is self-signed P-256 with CA:true critical, keyCertSign+cRLSign, 10 years")
    func caProperties() throws {
        let fleet = try TestFleet(name: "lab")
        let ca = fleet.ca.certificate
        #expect(ca.subject == ca.issuer)
        #expect(ca.commonNames == ["Tributary fleet CA lab"])
        #expect(ca.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(ca.publicKey.isValidSignature(ca.signature, for: ca))
        let basic = try #require(ca.extensions.first { $0.oid == .X509ExtensionID.basicConstraints })
        #expect(basic.critical)
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        let usage = try #require(try ca.extensions.keyUsage)
        #expect(usage.keyCertSign && usage.cRLSign && !usage.digitalSignature)
        #expect(ca.notValidAfter == testNow + 3650 * day)
        #expect(ca.notValidBefore <= testNow)
    }

    @Test("a client certificate names the id in CN and SAN URI, clientAuth, CA:false, 1 year")
    func clientProperties() throws {
        let fleet = try TestFleet()
        let leaf = fleet.client.certificate
        #expect(leaf.commonNames == ["edge-0001"])
        #expect(leaf.alternativeNames == [.uniformResourceIdentifier("tributary://client/edge-0001")])
        #expect(leaf.extendedKeyUsages == [.clientAuth])
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        #expect(leaf.issuer == fleet.ca.certificate.subject)
        #expect(leaf.notValidAfter == testNow + 365 * day)
        #expect(fleet.ca.certificate.publicKey.isValidSignature(leaf.signature, for: leaf))
    }

    @Test("a server certificate carries DNS and IP SANs and serverAuth")
    func serverProperties() throws {
        let fleet = try TestFleet()
        let leaf = fleet.server.certificate
        #expect(leaf.commonNames == ["coordinator.local"])
        #expect(leaf.extendedKeyUsages == [.serverAuth])
        let summary = CertificateSummary(certificate: leaf, now: testNow).lines.joined(separator: "\n")
        #expect(summary.contains("DNS:coordinator.local, IP:127.0.0.1"))
    }

    @Test("serials are 16 random bytes, reproducible from a seed, different between certificates")
    func serials() throws {
        let a = try TestFleet()
        let b = try TestFleet()
        #expect(a.client.certificate.serialNumber.bytes.count == 16)
        #expect(a.client.certificate.serialNumber == b.client.certificate.serialNumber)
        #expect(a.client.certificate.serialNumber != a.server.certificate.serialNumber)
        #expect(a.ca.certificate.serialNumber != a.client.certificate.serialNumber)
    }

    @Test("a leaf never outlives its CA")
    func cappedValidity() throws {
        var generator = SeededGenerator(seed: 1)
        let ca = try FleetCA.create(configuration: FleetCAConfiguration(validityDays: 30), now: testNow, generator: &generator)
        let leaf = try ca.issueClient(ClientID("x"), configuration: LeafCertificateConfiguration(validityDays: 365), now: testNow, generator: &generator)
        #expect(leaf.certificate.notValidAfter == ca.certificate.notValidAfter)
    }

    @Test("configurations refuse out-of-range validity and bad names, naming the value")
    func configurationValidation() async {
        await expectFleetError(.invalidConfiguration, mentioning: "0 days") { _ = try LeafCertificateConfiguration(validityDays: 0) }
        await expectFleetError(.invalidConfiguration, mentioning: "99999 days") { _ = try FleetCAConfiguration(validityDays: 99999) }
        await expectFleetError(.invalidConfiguration, mentioning: "\"\"") { _ = try FleetCAConfiguration(name: "") }
    }

    @Test("FleetDirectory writes ca.pem 0644, keys 0600, and refuses to overwrite a CA unless forced")
    func directoryFiles() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let directory = FleetDirectory(path: temp.file("fleet"))
        let first = try directory.initialize(configuration: FleetCAConfiguration(name: "lab"), now: testNow)
        #expect(try permissions(directory.caCertificatePath) == 0o644)
        #expect(try permissions(directory.caKeyPath) == 0o600)

        await expectFleetError(.fileExists, mentioning: directory.caCertificatePath) {
            try directory.initialize(configuration: FleetCAConfiguration(name: "other"), now: testNow)
        }
        #expect(try directory.loadCA(now: testNow).certificate == first.certificate)

        let replaced = try directory.initialize(configuration: FleetCAConfiguration(name: "other"), now: testNow, force: true)
        #expect(replaced.certificate != first.certificate)
        #expect(try permissions(directory.caKeyPath) == 0o600)

        let client = try directory.issueClient(ClientID("edge-7"), configuration: LeafCertificateConfiguration(), now: testNow)
        #expect(client.certificatePath == temp.file("fleet/edge-7.pem"))
        #expect(try permissions(client.keyPath) == 0o600)
        #expect(try permissions(client.certificatePath) == 0o644)
        await expectFleetError(.fileExists, mentioning: "edge-7") {
            _ = try directory.issueClient(ClientID("edge-7"), configuration: LeafCertificateConfiguration(), now: testNow)
        }

        let server = try directory.issueServer(
            names: [ServerName("localhost")],
            addresses: [IPAddress("::1")],
            configuration: LeafCertificateConfiguration(),
            output: temp.file("server-out"),
            now: testNow
        )
        #expect(server.keyPath == temp.file("server-out/localhost-key.pem"))
        #expect(try permissions(server.keyPath) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: temp.file("fleet")).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("loading a CA from a directory names the missing file")
    func loadCAMissing() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let directory = FleetDirectory(path: temp.path)
        await expectFleetError(.fileMissing, mentioning: directory.caCertificatePath) { _ = try directory.loadCA(now: testNow) }
    }
}
