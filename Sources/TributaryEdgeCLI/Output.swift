import ArgumentParser
import Foundation

/// Prints one line to stderr and exits non-zero: how every failure ends.
package func fail(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    return ExitCode(1)
}

/// One warning line to stderr; the command goes on.
package func warn(_ line: String) {
    FileHandle.standardError.write(Data(("warning: " + line + "\n").utf8))
}

/// One line to stdout, unbuffered (scripts and tests read it while the process runs).
package func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
