import ArgumentParser
import Logging
import TributaryLearning

@main
struct EdgeMain {
    static func main() async {
        BLAS.useOneThreadUnlessConfigured()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        await EdgeCommand.main()
    }
}
