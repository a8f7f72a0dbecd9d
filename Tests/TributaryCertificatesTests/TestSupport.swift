import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import TributaryCertificates

/// A fixed "now" for every test: 2027-01-15T08:00:00Z.
let testNow = Date(timeIntervalSince1970: 1_800_000_000)
let day: TimeInterval = 86_400

/// SplitMix64: a seeded generator so serials are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.path = url.path
    }

    func file(_ name: String) -> String { self.path + "/" + name }

    func write(_ text: String, to name: String) throws -> String {
        let path = self.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func remove() { try? FileManager.default.removeItem(atPath: self.path) }
}

/// The permission bits of a file.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// Runs `body` and checks it throws a FleetCertificateError with `code` whose message contains `mentioning`.
func expectFleetError(
    _ code: FleetCertificateError.Code,
    mentioning: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected FleetCertificateError \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as FleetCertificateError {
        #expect(error.code == code, "got \(error.debugDescription)", sourceLocation: sourceLocation)
        #expect(
            error.description.contains(mentioning),
            "\(error.description.debugDescription) does not mention \(mentioning.debugDescription)",
            sourceLocation: sourceLocation
        )
    } catch {
        Issue.record("expected FleetCertificateError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A CA, a client and a server certificate, all made in memory at `testNow`.
struct TestFleet {
    let ca: FleetCA
    let client: IssuedCertificate
    let server: IssuedCertificate

    init(name: String = "test", clientID: String = "edge-0001") throws {
        var generator = SeededGenerator(seed: 42)
        self.ca = try FleetCA.create(configuration: FleetCAConfiguration(name: name), now: testNow, generator: &generator)
        self.client = try self.ca.issueClient(
            ClientID(clientID),
            configuration: LeafCertificateConfiguration(),
            now: testNow,
            generator: &generator
        )
        self.server = try self.ca.issueServer(
            names: [ServerName("coordinator.local")],
            addresses: [IPAddress("127.0.0.1")],
            configuration: LeafCertificateConfiguration(),
            now: testNow,
            generator: &generator
        )
    }
}

extension Certificate {
    var pem: String { get throws { try self.serializeAsPEM().pemString + "\n" } }
}

extension Certificate.PrivateKey {
    var pem: String { get throws { try self.serializeAsPEM().pemString + "\n" } }
}

/// Writes a certificate and key pair into `directory` and returns their paths.
func writePair(_ issued: IssuedCertificate, named name: String, in directory: TemporaryDirectory) throws -> (String, String) {
    (try directory.write(try issued.certificatePEM(), to: "\(name).pem"), try directory.write(try issued.privateKeyPEM(), to: "\(name)-key.pem"))
}

/// A certificate signed by `issuerKey` with arbitrary subject, SANs and extensions, for the odd cases.
func mintLeaf(
    commonName: String?,
    sans: [GeneralName] = [],
    usage: ExtendedKeyUsage.Usage = .clientAuth,
    issuer: FleetCA,
    notBefore: Date = testNow - day,
    notAfter: Date = testNow + day
) throws -> Certificate {
    let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
    let subject = try DistinguishedName {
        if let commonName { CommonName(commonName) }
        OrganizationName("Tributary tests")
    }
    let extensions = try Certificate.Extensions {
        Critical(BasicConstraints.notCertificateAuthority)
        try ExtendedKeyUsage([usage])
        if !sans.isEmpty { SubjectAlternativeNames(sans) }
    }
    return try Certificate(
        version: .v3,
        serialNumber: Certificate.SerialNumber(bytes: [0x12, 0x34]),
        publicKey: key.publicKey,
        notValidBefore: notBefore,
        notValidAfter: notAfter,
        issuer: issuer.certificate.subject,
        subject: subject,
        signatureAlgorithm: .ecdsaWithSHA256,
        extensions: extensions,
        issuerPrivateKey: issuer.privateKey
    )
}
