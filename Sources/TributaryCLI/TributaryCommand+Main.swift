import ArgumentParser
import Foundation

extension TributaryCommand {
    /// Parses and runs a command; a failure prints one line, `error: <what was wrong>`, and exits
    /// non-zero (help and version requests print as usual). Async subcommands are awaited.
    public static func runMain(_ arguments: [String]? = nil) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            // The command printed its own error line before throwing the code: print nothing more.
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let message = fullMessage(for: error)
                .split(separator: "\n", omittingEmptySubsequences: true)
                .first.map(String.init) ?? "\(error)"
            let trimmed = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
            FileHandle.standardError.write(Data("error: \(trimmed)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
