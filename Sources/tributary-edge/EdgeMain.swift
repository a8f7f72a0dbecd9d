import ArgumentParser
import Logging

@main
struct EdgeMain {
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        await EdgeCommand.main()
    }
}
