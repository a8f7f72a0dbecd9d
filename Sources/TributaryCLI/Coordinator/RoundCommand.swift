import ArgumentParser
import Foundation
import TributaryCoordinator
import TributaryTransport

/// `tributary round start|status|new-task`: the operator's side of the coordinator's admin endpoint.
struct RoundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "round", abstract: "Start a round or show the coordinator's status (the admin endpoint).",
        subcommands: [Start.self, Status.self, NewTask.self])

    struct AdminOptions: ParsableArguments {
        @Option(help: "The coordinator's admin endpoint HOST:PORT (admin.listen).") var admin: String = "127.0.0.1:7480"
        @Option(help: "A file holding the admin bearer token (admin.token_file), sent as Authorization: Bearer.") var tokenFile: String?

        func call(_ method: String, _ path: String) async throws -> AdminClient.Answer {
            let endpoint: Endpoint
            do {
                endpoint = try Endpoint(parsing: admin)
            } catch {
                throw ValidationError("--admin is '\(admin)'; must be HOST:PORT such as 127.0.0.1:7480")
            }
            var token: String?
            if let tokenFile {
                guard let data = FileManager.default.contents(atPath: tokenFile) else {
                    throw ValidationError("--token-file is '\(tokenFile)'; it does not exist or cannot be read")
                }
                token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard token?.isEmpty == false else { throw ValidationError("--token-file '\(tokenFile)' is empty; it must hold the admin token") }
            }
            do {
                return try await AdminClient.request(method, path, at: endpoint, token: token)
            } catch let error as AdminClient.Failure {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }

        /// Prints the body; a non-2xx answer prints `error: …` and exits 1.
        func finish(_ answer: AdminClient.Answer) throws {
            guard (200..<300).contains(answer.status) else {
                let message = (try? JSONDecoder().decode([String: String].self, from: Data(answer.body.utf8)))?["error"] ?? answer.body
                FileHandle.standardError.write(Data("error: \(message) (HTTP \(answer.status))\n".utf8))
                throw ExitCode(1)
            }
            print(answer.body)
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a round now (POST /v1/rounds); prints {\"round\": ID}.")
        @OptionGroup var options: AdminOptions

        func run() async throws {
            try options.finish(try await options.call("POST", "/v1/rounds"))
        }
    }

    struct NewTask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-task",
            abstract: "Announce that the fleet's data changed (POST /v1/tasks): the next round consolidates the global EWC state first.")
        @OptionGroup var options: AdminOptions

        func run() async throws {
            try options.finish(try await options.call("POST", "/v1/tasks"))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Live version, population and current round (GET /v1/status), as JSON.")
        @OptionGroup var options: AdminOptions

        func run() async throws {
            try options.finish(try await options.call("GET", "/v1/status"))
        }
    }
}
