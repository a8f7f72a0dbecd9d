import Foundation
import X509

/// The fleet CA's directory on disk and the file operations behind `tributary certs`.
///
/// Layout:
/// - `ca.pem` (0644): the fleet CA certificate, the trust root every node gets;
/// - `ca-key.pem` (0600): the CA key, PKCS#8 PEM; never leaves this directory;
/// - `<id>.pem` (0644) and `<id>-key.pem` (0600): issued client or server credentials
///   (unless written elsewhere);
/// - `revoked.txt` (0644): the ``DenyList``.
///
/// Every file is written atomically (temp file, fsync, rename/link, directory fsync), and
/// nothing is overwritten unless `force` is set.
public struct FleetDirectory: Sendable {
    public static let caCertificateName = "ca.pem"
    public static let caKeyName = "ca-key.pem"
    public static let denyListName = "revoked.txt"

    /// The directory's path.
    public let path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    public var caCertificatePath: String { self.file(Self.caCertificateName) }
    public var caKeyPath: String { self.file(Self.caKeyName) }
    public var denyListPath: String { self.file(Self.denyListName) }

    /// Where the certificate and key for `name` (a client id or server host) go in `directory`.
    public static func credentialPaths(name: String, in directory: String) -> (certificate: String, key: String) {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return (base + name + ".pem", base + name + "-key.pem")
    }

    /// Creates the directory if needed and writes a new CA into it.
    /// - Throws: ``FleetCertificateError/Code/fileExists`` naming `ca.pem` or `ca-key.pem` when
    ///   a CA is already there and `force` is false.
    @discardableResult
    public func initialize(configuration: FleetCAConfiguration, now: Date, force: Bool = false) throws -> FleetCA {
        try FleetFile.ensureDirectory(self.path)
        if !force {
            for existing in [self.caCertificatePath, self.caKeyPath] where FleetFile.exists(existing) {
                throw FleetCertificateError(.fileExists, reason: "\(existing): a fleet CA already exists (use --force to replace it)")
            }
        }
        let ca = try FleetCA.create(configuration: configuration, now: now)
        // Key first: a crash in between leaves a key without a certificate, never a certificate
        // whose key is lost.
        try FleetFile.write(
            try ca.privateKey.serializeAsPEM().pemString + "\n",
            to: self.caKeyPath,
            mode: FleetFile.privateMode,
            overwrite: force
        )
        try FleetFile.write(
            try ca.certificate.serializeAsPEM().pemString + "\n",
            to: self.caCertificatePath,
            mode: FleetFile.publicMode,
            overwrite: force
        )
        // An empty deny list, so a coordinator pointed at it starts (a configured but missing
        // list refuses the start). An existing one is kept: its revocations by id still hold.
        if !FleetFile.exists(self.denyListPath) {
            try FleetFile.write(Self.denyListHeader, to: self.denyListPath, mode: FleetFile.publicMode, overwrite: false)
        }
        return ca
    }

    /// Reads `ca.pem` and `ca-key.pem` and checks they form a CA valid at `now`.
    public func loadCA(now: Date) throws -> FleetCA {
        let certificate = try PEMFile.readCertificate(self.caCertificatePath, role: "fleet CA certificate")
        let key = try PEMFile.readPrivateKey(self.caKeyPath, role: "fleet CA key")
        guard certificate.isCertificateAuthority else {
            throw FleetCertificateError(
                .notCertificateAuthority,
                reason: "\(self.caCertificatePath): certificate \(certificate.subject) is not a CA (basicConstraints CA:true missing)"
            )
        }
        guard key.publicKey == certificate.publicKey else {
            throw FleetCertificateError(
                .keyMismatch,
                reason: "\(self.caKeyPath): key does not match the CA certificate in \(self.caCertificatePath)"
            )
        }
        try ChainCheck.checkValidity(certificate, name: self.caCertificatePath, now: now)
        return try FleetCA(certificate: certificate, privateKey: key, source: self.caCertificatePath)
    }

    /// Issues a client certificate and writes `<id>.pem` and `<id>-key.pem` into `output`
    /// (this directory when nil).
    public func issueClient(
        _ id: ClientID,
        configuration: LeafCertificateConfiguration,
        output: String? = nil,
        force: Bool = false,
        now: Date
    ) throws -> IssuedFiles {
        try self.issue(name: id.value, output: output, force: force, now: now) { ca, generator in
            try ca.issueClient(id, configuration: configuration, now: now, generator: &generator)
        }
    }

    /// Issues a server certificate for the names and addresses and writes `<first>.pem` and
    /// `<first>-key.pem` into `output` (this directory when nil).
    public func issueServer(
        names: [ServerName],
        addresses: [IPAddress],
        configuration: LeafCertificateConfiguration,
        output: String? = nil,
        force: Bool = false,
        now: Date
    ) throws -> IssuedFiles {
        let name = names.first?.value ?? addresses.first?.text ?? "server"
        return try self.issue(name: name, output: output, force: force, now: now) { ca, generator in
            try ca.issueServer(names: names, addresses: addresses, configuration: configuration, now: now, generator: &generator)
        }
    }

    /// Loads the CA, lets `mint` issue with it and the system generator, and writes `<name>.pem`
    /// and `<name>-key.pem` into `output` (this directory when nil).
    private func issue(
        name: String,
        output: String?,
        force: Bool,
        now: Date,
        _ mint: (FleetCA, inout SystemRandomNumberGenerator) throws -> IssuedCertificate
    ) throws -> IssuedFiles {
        let ca = try self.loadCA(now: now)
        var generator = SystemRandomNumberGenerator()
        return try self.write(mint(ca, &generator), name: name, output: output, force: force)
    }

    /// Adds `client <id>` and, when `<id>.pem` is found (in `certificate`, or else in this
    /// directory), `serial <hex>` to `revoked.txt`, rewriting it atomically.
    /// - Returns: the serial that was revoked, if a certificate was found.
    @discardableResult
    public func revoke(_ id: ClientID, certificate: String? = nil, now: Date) throws -> Certificate.SerialNumber? {
        guard FileManager.default.fileExists(atPath: self.path) else {
            throw FleetCertificateError(.fileMissing, reason: "\(self.path): fleet directory does not exist")
        }
        let certificatePath = certificate ?? Self.credentialPaths(name: id.value, in: self.path).certificate
        var serial: Certificate.SerialNumber?
        if certificate != nil || FileManager.default.fileExists(atPath: certificatePath) {
            let leaf = try PEMFile.readCertificate(certificatePath)
            let named = try PeerIdentity.clientID(of: leaf)
            guard named == id else {
                throw FleetCertificateError(
                    .identityMismatch,
                    reason: "\(certificatePath): certificate is for client \(named.value), not \(id.value)"
                )
            }
            serial = leaf.serialNumber
        }
        var existing = ""
        if FileManager.default.fileExists(atPath: self.denyListPath) {
            existing = try PEMFile.readText(self.denyListPath, role: "deny list")
            _ = try DenyList(parsing: existing, source: self.denyListPath)  // refuse to extend a broken file
        } else {
            existing = Self.denyListHeader
        }
        if !existing.isEmpty && !existing.hasSuffix("\n") { existing += "\n" }
        let stamp = now.formatted(.iso8601)
        let lines = ["# revoked \(stamp)"] + DenyList.entryLines(clientID: id, serial: serial)
        try FleetFile.write(
            existing + lines.joined(separator: "\n") + "\n",
            to: self.denyListPath,
            mode: FleetFile.publicMode,
            overwrite: true
        )
        return serial
    }

    static let denyListHeader = """
        # Tributary fleet deny list. One entry per line:
        #   client <id>     refuse every certificate naming this client id
        #   serial <hex>    refuse the certificate with this serial number
        # Lines starting with '#' and blank lines are ignored.

        """

    private func write(_ issued: IssuedCertificate, name: String, output: String?, force: Bool) throws -> IssuedFiles {
        let directory = output ?? self.path
        try FleetFile.ensureDirectory(directory)
        let paths = Self.credentialPaths(name: name, in: directory)
        if !force {
            for existing in [paths.certificate, paths.key] where FleetFile.exists(existing) {
                throw FleetCertificateError(.fileExists, reason: "\(existing): already exists (use --force to replace it)")
            }
        }
        try FleetFile.write(try issued.privateKeyPEM(), to: paths.key, mode: FleetFile.privateMode, overwrite: force)
        try FleetFile.write(try issued.certificatePEM(), to: paths.certificate, mode: FleetFile.publicMode, overwrite: force)
        return IssuedFiles(certificatePath: paths.certificate, keyPath: paths.key, certificate: issued.certificate)
    }

    private func file(_ name: String) -> String {
        self.path == "/" ? "/" + name : self.path + "/" + name
    }
}
