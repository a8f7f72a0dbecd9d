import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TributaryCertificates
import TributaryEdge
import TributaryFeedback
import TributaryTransport

/// The long-running edge agent as `tributary-edge run` starts it: configuration, credentials,
/// feedback store and its imports, the agent and the loopback feedback endpoint in one
/// `ServiceGroup`, until SIGTERM/SIGINT or a fatal refusal. `faults` is `.none` in the shipped
/// executable; only `tributary-edge-crashtest` passes a hook.
package enum EdgeRun {
    package static func run(_ options: RunOptions, faults: EdgeFaults) async throws {
        let logger = Logger(label: "tributary.edge")
        do {
            let (configuration, memory) = try options.loadConfiguration()
            let credentials = try await FleetCredentials.load(certificate: configuration.tls.certificate, key: configuration.tls.key,
                                                              trustRoot: configuration.tls.ca, role: .client, now: Date())
            let clientID = try PeerIdentity.clientID(of: credentials.leaf).value
            let transport = try EdgeAgent.transport(for: configuration, credentials: credentials)
            let source: any EdgeDataSource
            var endpoint: FeedbackStore?
            if let memory {
                source = InMemoryDataSource(memory)
            } else {
                let store = try FeedbackStore.open(for: configuration)
                for file in configuration.feedback.imports {
                    // A refused file is skipped, not fatal: it would stop the agent again at every start.
                    do {
                        if let stored = try store.importCSVOnce(path: file, maxBytes: configuration.feedback.importMaxBytes) {
                            say("edge \(clientID): imported \(stored) example(s) from \(file)")
                        }
                    } catch let error as FeedbackError where error.code == .invalidRecord {
                        warn("edge \(clientID): skipped import: \(error.reason)")
                    }
                }
                source = FeedbackStoreSource(store: store)
                if configuration.ingestion.enabled { endpoint = store }
            }
            let agent = try EdgeAgent(configuration: configuration, clientID: clientID, transport: transport, data: source,
                                      faults: faults, stopAfterRounds: options.rounds, logger: logger,
                                      onEvent: { EventLines.print($0, clientID: clientID) })
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: agent, successTerminationBehavior: .gracefullyShutdownGroup)]
            if let endpoint {
                // The same listener serves the agent's model: POST /v1/predict.
                let service = FeedbackEndpointService(store: endpoint, predictor: agent.predictor, listen: configuration.ingestion.listen, logger: logger)
                services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
            }
            var group = ServiceGroupConfiguration(services: services, logger: logger)
            group.gracefulShutdownSignals = [.sigterm, .sigint]
            try await ServiceGroup(configuration: group).run()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(error)
        }
    }
}
