import ArgumentParser

/// `tributary certs`: make and inspect the fleet's mutual-TLS certificates.
///
/// The root `tributary` command registers this as a subcommand.
public struct CertsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Create the fleet CA, issue client and server certificates, revoke clients.",
        discussion: """
            A fleet directory holds ca.pem (the trust root for every node), ca-key.pem (0600, \
            never copy it off this machine), the issued <name>.pem / <name>-key.pem pairs, and \
            revoked.txt. A client's identity is its id: certificate CN and SAN URI \
            tributary://client/<id>.
            """,
        subcommands: [Init.self, Issue.self, Revoke.self, Show.self]
    )

    public init() {}
}
