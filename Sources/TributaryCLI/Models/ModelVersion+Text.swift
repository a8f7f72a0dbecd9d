import Foundation
import TributaryRegistry

extension ModelVersion {
    var createdText: String { createdAt.formatted(.iso8601) }

    var statusText: String { isLive ? "\(status.rawValue) (live)" : status.rawValue }

    /// `list` row.
    var row: [String] {
        [
            "\(number)", statusText, parent.map(String.init) ?? "-", roundID.map(String.init) ?? "-", createdText,
            "\(participants.count)", String(digest.prefix(12)), note,
        ]
    }

    /// `show` lines.
    var detailLines: [String] {
        var lines = [
            "version:      \(number)",
            "status:       \(statusText)",
            "digest:       sha256:\(digest)",
            "size:         \(byteCount) bytes",
            "parent:       \(parent.map(String.init) ?? "none")",
            "round:        \(roundID.map(String.init) ?? "none")",
            "created:      \(createdText)",
            "participants: \(participants.isEmpty ? "none" : participants.joined(separator: ", "))",
        ]
        if !statusReason.isEmpty { lines.append("reason:       \(statusReason)") }
        if !note.isEmpty { lines.append("note:         \(note)") }
        lines.append("metrics:" + (metrics.isEmpty ? "      none" : ""))
        for key in metrics.keys.sorted() { lines.append("  \(key): \(metrics[key]!)") }
        return lines
    }
}

enum TextTable {
    /// Left-aligned columns separated by two spaces.
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
