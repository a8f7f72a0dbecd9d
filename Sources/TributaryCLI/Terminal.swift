#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif
import Foundation

/// Progress lines on standard error: rewritten in place on a terminal, plain lines elsewhere.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) != 0

    static func status(_ text: String) {
        if isInteractive {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    static func clearStatus() {
        if isInteractive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// A text progress bar: `[#####.....] 50%`.
    static func bar(_ fraction: Double, width: Int = 24) -> String {
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: max(0, width - filled)) + "] " + String(format: "%3.0f%%", fraction * 100)
    }
}
