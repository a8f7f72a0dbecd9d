import NIOCore
import NIOSSL
import TributaryCertificates
import TributarySession
import TributaryTransport
import TributaryWire
import X509

/// The coordinator's transport settings. Start from ``mutualTLS(credentials:denyListPath:)``:
/// TLS 1.3 only, a client certificate required and checked against the fleet CA, the deny list
/// re-read on every new connection.
public struct CoordinatorTransportConfiguration: Sendable {
    /// swift-nio-ssl settings (set by the factory; change only to test refusals).
    public var tls: TLSConfiguration
    /// The fleet CA client certificates must chain to.
    public var trustRoot: Certificate
    /// `revoked.txt`; nil: nothing is revoked.
    public var denyListPath: String?
    public var session: SessionConfiguration
    public var wire: WireConfiguration
    /// Bytes queued in the channel above which writes wait (the outbound bound).
    public var writeBufferHighWaterMark: Int
    /// Whole messages read ahead of the application before the socket stops being read.
    public var inboundMessageBuffer: Int
    /// Global model version announced in Welcome when ``liveModelVersion`` is nil.
    public var globalModelVersion: UInt64
    /// Read for the version to announce in Welcome as each client's TLS handshake completes:
    /// the coordinator's live version, which its promotions update. Nil: ``globalModelVersion``.
    public var liveModelVersion: LiveModelVersion?
    /// Large inbound messages (over 64 KiB: Updates) all connections together hold at once
    /// (``TransferPermits``); the others wait unread. Default 2: one being received while
    /// the application folds another.
    public var concurrentReceives: Int
    /// Largest socket read (one TLS record), and largest piece written and flushed at once. Each
    /// connection keeps TLS buffers of about these sizes for its lifetime, so with 1,000 clients
    /// they matter (`TributaryCoordinatorBench --clients 1000`): 1 MiB reads and 64 KiB pieces
    /// gave 163 MB connected and 1,470 MB after a round; 16 KiB and 32 KiB give 132 and 253 MB,
    /// with model transfers still at 730–790 MB/s (16 KiB pieces: 465–690 MB/s).
    /// How often the deny list is re-read for clients already connected: a client revoked in
    /// `revoked.txt` is cut off (Goodbye `REVOKED`) within this interval. New connections are
    /// always checked against the current file.
    public var revocationCheck: Duration = .seconds(5)
    /// A configured ``denyListPath`` that does not exist is an error at bind unless this is true
    /// (then nobody is revoked until the file appears). A bad line is always an error.
    public var denyListOptional = false
    /// A connection whose TLS handshake has not completed this long after accept is closed
    /// (`tlsHandshakeTimeout`): idle TCP connections cannot hold descriptors and memory.
    public var handshakeTimeout: Duration = .seconds(10)
    /// Connections held at once, in all (handshaking or in session); more are closed at accept.
    /// nil: the process's file-descriptor limit minus ``FileDescriptorLimit/reserved``. A value
    /// above that is refused at bind (raise `ulimit -n` first).
    public var maxConnections: Int?
    /// Connections held at once from one source IP address; more from it are closed at accept,
    /// so one host cannot take the room of the whole fleet. Raise it for fleets behind NAT.
    public var maxConnectionsPerAddress = 256
    public var readBytes = 16 * 1024
    public var writeBytes = 32 * 1024

    public init(tls: TLSConfiguration, trustRoot: Certificate, denyListPath: String? = nil,
                session: SessionConfiguration = .init(), wire: WireConfiguration = .init(),
                writeBufferHighWaterMark: Int = 8 * 1024 * 1024, inboundMessageBuffer: Int = 2,
                globalModelVersion: UInt64 = 0, concurrentReceives: Int = 2) {
        self.tls = tls
        self.trustRoot = trustRoot
        self.denyListPath = denyListPath
        self.session = session
        self.wire = wire
        self.writeBufferHighWaterMark = writeBufferHighWaterMark
        self.inboundMessageBuffer = inboundMessageBuffer
        self.globalModelVersion = globalModelVersion
        self.concurrentReceives = concurrentReceives
    }

    /// Mutual TLS 1.3 with the coordinator's own credentials (`FleetCredentials.load(..., role: .server)`).
    public static func mutualTLS(credentials: FleetCredentials, denyListPath: String? = nil) throws -> Self {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try TLSMaterial.chain(credentials.chain),
            privateKey: .privateKey(try TLSMaterial.key(credentials.privateKey)))
        tls.minimumTLSVersion = .tlsv13
        tls.maximumTLSVersion = .tlsv13
        // A client certificate is required (BoringSSL fails the handshake without one); the
        // custom verification callback checks it with FleetPeerVerifier.
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates([try TLSMaterial.certificate(credentials.trustRoot)])
        tls.shutdownTimeout = .seconds(1)  // wait at most this long for the peer's close_notify
        return Self(tls: tls, trustRoot: credentials.trustRoot, denyListPath: denyListPath)
    }

    func validated() throws -> Self {
        _ = try session.validated()
        _ = try wire.validated()
        guard writeBufferHighWaterMark >= 64 * 1024 else {
            throw TransportError(.invalidConfiguration, "writeBufferHighWaterMark is \(writeBufferHighWaterMark); must be >= 65536")
        }
        guard inboundMessageBuffer >= 1 else {
            throw TransportError(.invalidConfiguration, "inboundMessageBuffer is \(inboundMessageBuffer); must be >= 1")
        }
        guard (1024...(16 << 20)).contains(readBytes), (1024...(16 << 20)).contains(writeBytes) else {
            throw TransportError(.invalidConfiguration, "readBytes is \(readBytes), writeBytes \(writeBytes); each must be in 1024...16777216")
        }
        guard revocationCheck > .zero else {
            throw TransportError(.invalidConfiguration, "revocationCheck is \(revocationCheck); must be positive")
        }
        guard concurrentReceives >= 1 else {
            throw TransportError(.invalidConfiguration, "concurrentReceives is \(concurrentReceives); must be >= 1")
        }
        guard handshakeTimeout > .zero else {
            throw TransportError(.invalidConfiguration, "handshakeTimeout is \(handshakeTimeout); must be positive")
        }
        guard maxConnectionsPerAddress >= 1 else {
            throw TransportError(.invalidConfiguration, "maxConnectionsPerAddress is \(maxConnectionsPerAddress); must be >= 1")
        }
        if let maxConnections {
            let budget = FileDescriptorLimit.connectionBudget
            guard (1...budget).contains(maxConnections) else {
                throw TransportError(.invalidConfiguration, "maxConnections is \(maxConnections); must be in 1...\(budget) (the file-descriptor limit RLIMIT_NOFILE is \(FileDescriptorLimit.current), \(FileDescriptorLimit.reserved) kept for files; raise `ulimit -n` to allow more)")
            }
        }
        return self
    }

    /// ``maxConnections``, or the default derived from the file-descriptor limit.
    var connectionLimit: Int { maxConnections ?? FileDescriptorLimit.connectionBudget
    }
}
