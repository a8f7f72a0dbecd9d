import NIOSSL
import X509

/// Conversions from swift-certificates values to swift-nio-ssl ones.
package enum TLSMaterial {
    package static func certificate(_ certificate: Certificate) throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: certificate.serializeAsPEM().derBytes, format: .der)
    }

    package static func chain(_ chain: [Certificate]) throws -> [NIOSSLCertificateSource] {
        try chain.map { .certificate(try certificate($0)) }
    }

    package static func key(_ key: Certificate.PrivateKey) throws -> NIOSSLPrivateKey {
        try NIOSSLPrivateKey(bytes: Array(key.serializeAsPEM().pemString.utf8), format: .pem)
    }

    package static func x509(_ certificate: NIOSSLCertificate) throws -> Certificate {
        try Certificate(derEncoded: try certificate.toDERBytes())
    }
}
