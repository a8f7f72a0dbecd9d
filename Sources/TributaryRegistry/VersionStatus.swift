/// Where a model version stands. A promoted version may or may not be the live one
/// (`ModelVersion.isLive`): promoting a newer version retires the old one from live service but
/// it stays `promoted`, so a rollback can return to it.
public enum VersionStatus: String, Sendable, Codable, CaseIterable {
    case candidate
    case promoted
    case rejected
    case rolledBack = "rolled_back"
}
