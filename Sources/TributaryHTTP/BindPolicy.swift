/// Where an endpoint may listen: loopback always; any other address only when every request must
/// carry a credential (a bearer token), since the endpoints can start rounds, store feedback and
/// serve predictions.
public enum BindPolicy {
    /// True for 127.0.0.0/8, ::1 and localhost.
    public static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "[::1]" { return true }
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in UInt8(part) != nil }
    }

    /// - Throws: ``HTTPEndpointError`` naming the address when `host` is not loopback and the
    ///   endpoint has no credential check (`setting` names the configuration key or flag).
    public static func check(host: String, port: Int, authenticated: Bool, setting: String) throws {
        guard authenticated || isLoopback(host) else {
            throw HTTPEndpointError("\(setting) is \(host):\(port), which is not a loopback address; without a bearer token every process that can reach it could use it, so it listens on loopback only (127.0.0.0/8, ::1 or localhost) unless a token is configured")
        }
    }
}
