import ArgumentParser
import TributaryConfig
import TributaryEdge
import TributaryLearning
import TributaryLogging
import TributaryTransport

/// The flags of `tributary-edge run` (and of the crash-test executable that runs the same agent).
package struct RunOptions: ParsableArguments {
    @OptionGroup package var options: ConfigOptions
    @Option(help: "Coordinator address, HOST:PORT (coordinator.address).") package var coordinator: String?
    @Option(help: "Fleet CA certificate (tls.ca).") package var ca: String?
    @Option(help: "This edge's certificate (tls.cert).") package var cert: String?
    @Option(help: "This edge's private key (tls.key).") package var key: String?
    @Option(help: "Labelled CSV: imported into the store once (with --config), else the data in memory.") package var data: String?
    @Option(help: "State directory (state.directory).") package var state: String?
    @Option(help: "Name to check in the coordinator's certificate (coordinator.server_name).") package var serverName: String?
    @Option(help: "Say Goodbye and exit after answering this many rounds (default: run until stopped).") package var rounds: Int?
    @Option(help: "Log format: text or json, one object a line (logging.format).") package var logFormat: String?

    package init() {}

    package func validate() throws {
        if let rounds, rounds < 1 { throw ValidationError("--rounds is \(rounds); must be >= 1") }
    }

    /// The file's configuration with the flags applied, or one from the flags alone (then the
    /// CSV is the data, in memory).
    func loadConfiguration() throws -> (EdgeConfiguration, Dataset?) {
        let flags = [("coordinator.address", coordinator), ("tls.ca", ca), ("tls.cert", cert), ("tls.key", key),
                     ("state.directory", state), ("coordinator.server_name", serverName), ("logging.format", logFormat)]
            .compactMap { key, value in value.map { "\(key)=\($0)" } }
        if let reader = try options.reader(flags: flags) {
            var configuration = try EdgeConfiguration(reader: reader)
            try reader.finish()
            ProcessLogging.format = configuration.logFormat
            if let data { configuration.feedback.imports.append(data) }
            return (try configuration.validated(), nil)
        }
        guard let coordinator, let ca, let cert, let key, let state, let data else {
            throw ValidationError("without --config, --coordinator, --ca, --cert, --key, --state and --data are required")
        }
        if let logFormat {
            do { ProcessLogging.format = try LogFormat(parsing: logFormat, setting: "--log-format") } catch { throw ValidationError("\(error)") }
        }
        let dataset = try CSVLoader.load(path: data)
        let classes = Int(dataset.labels.max() ?? 0) + 1
        let configuration = EdgeConfiguration(
            coordinator: try Endpoint(parsing: coordinator), tls: .init(ca: ca, certificate: cert, key: key), stateDirectory: state,
            feedback: .init(featureCount: dataset.featureCount, classCount: classes), serverName: serverName)
        return (try configuration.validated(), dataset)
    }
}
