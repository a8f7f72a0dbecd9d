import NIOSSL
import TributaryCertificates
import TributarySession
import TributaryTransport
import TributaryWire
import X509

/// The edge agent's transport settings. Start from ``mutualTLS(credentials:serverHostname:)``:
/// TLS 1.3 only, the coordinator's certificate checked against the fleet CA and its host name.
public struct EdgeTransportConfiguration: Sendable {
    public var tls: TLSConfiguration
    /// Name checked against the coordinator's certificate (a DNS name or an IP address).
    public var serverHostname: String?
    /// This client's certificate and the fleet CA, used to explain a refusal (expired? other CA?).
    public var ownCertificate: Certificate?
    public var trustRoot: Certificate?
    public var session: SessionConfiguration
    public var wire: WireConfiguration
    public var writeBufferHighWaterMark: Int
    public var inboundMessageBuffer: Int
    public var connectTimeout: Duration

    public init(tls: TLSConfiguration, serverHostname: String?, ownCertificate: Certificate? = nil,
                trustRoot: Certificate? = nil, session: SessionConfiguration = .init(),
                wire: WireConfiguration = .init(), writeBufferHighWaterMark: Int = 8 * 1024 * 1024,
                inboundMessageBuffer: Int = 2, connectTimeout: Duration = .seconds(10)) {
        self.tls = tls
        self.serverHostname = serverHostname
        self.ownCertificate = ownCertificate
        self.trustRoot = trustRoot
        self.session = session
        self.wire = wire
        self.writeBufferHighWaterMark = writeBufferHighWaterMark
        self.inboundMessageBuffer = inboundMessageBuffer
        self.connectTimeout = connectTimeout
    }

    /// Mutual TLS 1.3 with this edge's credentials (`FleetCredentials.load(..., role: .client)`).
    public static func mutualTLS(credentials: FleetCredentials, serverHostname: String?) throws -> Self {
        try mutualTLS(chain: credentials.chain.dropLast().map { $0 }, key: credentials.privateKey,
                      trustRoot: credentials.trustRoot, serverHostname: serverHostname)
    }

    /// The same from certificates in memory, without checking them first (tests use it to
    /// present expired or foreign certificates and see what the coordinator says).
    public static func mutualTLS(chain: [Certificate], key: Certificate.PrivateKey?, trustRoot: Certificate,
                                 serverHostname: String?) throws -> Self {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv13
        tls.maximumTLSVersion = .tlsv13
        tls.certificateVerification = .fullVerification
        tls.trustRoots = .certificates([try TLSMaterial.certificate(trustRoot)])
        tls.certificateChain = try TLSMaterial.chain(chain)
        tls.privateKey = try key.map { .privateKey(try TLSMaterial.key($0)) }
        tls.shutdownTimeout = .seconds(1)  // wait at most this long for the peer's close_notify
        return Self(tls: tls, serverHostname: serverHostname, ownCertificate: chain.first, trustRoot: trustRoot)
    }

    func validated() throws -> Self {
        _ = try session.validated()
        _ = try wire.validated()
        guard connectTimeout > .zero else {
            throw TransportError(.invalidConfiguration, "connectTimeout is \(connectTimeout); must be > 0")
        }
        guard writeBufferHighWaterMark >= 64 * 1024 else {
            throw TransportError(.invalidConfiguration, "writeBufferHighWaterMark is \(writeBufferHighWaterMark); must be >= 65536")
        }
        return self
    }
}
