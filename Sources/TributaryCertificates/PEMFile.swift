import Foundation
import SwiftASN1
import X509

/// Reads certificates and keys from PEM files with errors that name the file and say what is wrong.
public enum PEMFile {
    /// Reads the file as UTF-8 text.
    /// - Throws: ``FleetCertificateError/Code/fileMissing`` or ``FleetCertificateError/Code/fileUnreadable``.
    public static func readText(_ path: String, role: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw FleetCertificateError(.fileMissing, reason: "\(path): \(role) file does not exist")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FleetCertificateError(.fileUnreadable, reason: "\(path): \(role) file cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FleetCertificateError(.notPEM, reason: "\(path): \(role) file is not PEM text (binary content; DER is not accepted)")
        }
        return text
    }

    /// Reads the first `CERTIFICATE` block of a PEM file.
    public static func readCertificate(_ path: String, role: String = "certificate") throws -> Certificate {
        let document = try Self.document(path, role: role, expected: ["CERTIFICATE"])
        do {
            return try Certificate(derEncoded: document.derBytes)
        } catch {
            throw FleetCertificateError(.notPEM, reason: "\(path): \(role) PEM does not hold a valid X.509 certificate (\(error))")
        }
    }

    /// Reads a `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY` (SEC1) PEM file.
    public static func readPrivateKey(_ path: String, role: String = "private key") throws -> Certificate.PrivateKey {
        let document = try Self.document(path, role: role, expected: ["PRIVATE KEY", "EC PRIVATE KEY"])
        do {
            return try Certificate.PrivateKey(pemDocument: document)
        } catch {
            throw FleetCertificateError(.notPEM, reason: "\(path): \(role) PEM does not hold a supported private key (\(error))")
        }
    }

    private static func document(_ path: String, role: String, expected: [String]) throws -> PEMDocument {
        let text = try Self.readText(path, role: role)
        guard text.contains("-----BEGIN ") else {
            throw FleetCertificateError(.notPEM, reason: "\(path): \(role) file is not PEM (no -----BEGIN line)")
        }
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw FleetCertificateError(.notPEM, reason: "\(path): \(role) file is not valid PEM (\(error))")
        }
        guard let document = documents.first(where: { expected.contains($0.discriminator) }) else {
            let found = documents.map(\.discriminator).joined(separator: ", ")
            throw FleetCertificateError(
                .notPEM,
                reason: "\(path): \(role) file holds \(found.isEmpty ? "no PEM block" : found), expected \(expected.joined(separator: " or "))"
            )
        }
        return document
    }
}
