import ArgumentParser
import Logging
import TributaryNumerics
import TributaryCLI

@main
struct TributaryMain {
    static func main() async {
        BLAS.useOneThreadUnlessConfigured()
        // Only the executable picks the log backend (libraries take a `logger:`).
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        await TributaryCommand.runMain()
    }
}
