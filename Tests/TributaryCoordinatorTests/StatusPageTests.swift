import Foundation
import Logging
import Testing
import TributaryCLI
@testable import TributaryCoordinator
import TributaryEdge
import TributaryLearning
import TributaryRegistry
import TributaryTransport
import TributaryWire

/// The status page and `GET /v1/versions` without a browser (scripts/status-page-check.sh loads
/// the page in chromium): the routes, what the versions document holds after a real round, and
/// both over real HTTP from a running coordinator.
@Suite("Status page and versions", .serialized)
struct StatusPageTests {
    struct Listing: Decodable {
        struct Version: Decodable {
            var number: UInt64
            var parent: UInt64?
            var status: String
            var live: Bool
            var round_id: UInt64?
            var created_at: Double
            var metrics: [String: Double]
            var note: String
            var status_reason: String
            var participants: Int
            var decisions: [Decision]
        }
        struct Decision: Decodable {
            var kind: String
            var reason: String
            var at: Double
        }
        var versions: [Version]
    }

    static func decode(_ body: String) throws -> Listing {
        try JSONDecoder().decode(Listing.self, from: Data(body.utf8))
    }

    @Test("GET / and GET /status answer the page as HTML with nothing fetched from elsewhere; the data it polls keeps the token")
    func pageRoutes() async throws {
        let api = AdminAPI(startRound: { 1 }, status: { .unavailable }, token: AdminToken(AdminEndpointTests.token))
        for path in ["/", "/status"] {
            let page = await api.handle(method: "GET", path: path)
            #expect(page.status == 200 && page.contentType == "text/html; charset=utf-8", "\(path): \(page.status) \(page.contentType)")
            #expect(page.body.hasPrefix("<!DOCTYPE html>") && page.body.contains("fetch(path") && page.body.contains("\"/v1/versions\""))
        }
        let html = StatusPage.html
        for external in ["<link", "<img", "<iframe", "src=", "@import", "url("] {
            #expect(!html.contains(external), "the page references an external asset: \(external)")
        }
        let addresses = Set(html.matches(of: /https?:\/\/[^"]*/).map { String($0.output) })
        #expect(addresses == ["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml"], "\(addresses)")
        // The page holds no data; what it shows comes from routes that still need the token.
        #expect(await api.handle(method: "GET", path: "/v1/versions").status == 401)
        #expect(await api.handle(method: "GET", path: "/v1/status").status == 401)
        #expect(await api.handle(method: "GET", path: "/v1/versions", authorization: "Bearer " + AdminEndpointTests.token).status == 200)
        let post = await api.handle(method: "POST", path: "/", authorization: "Bearer " + AdminEndpointTests.token)
        #expect(post.status == 405 && post.body.contains("method POST is not allowed on /; use GET"), "\(post.body)")
        let failing = AdminAPI(startRound: { 1 }, status: { .unavailable },
                               versions: { throw CoordinatorError(.notRunning, "the coordinator is not running") })
        let refused = await failing.handle(method: "GET", path: "/v1/versions")
        #expect(refused.status == 503 && refused.body.contains("the registry's versions cannot be read: the coordinator is not running"), "\(refused.body)")
    }

    @Test("after a round, GET /v1/versions lists both versions with lineage, status, round, the gate's figures and decisions, newest last")
    func versionsAfterARound() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        let engine = try await world.engine(try world.configuration(target: 2), log: EventLog())
        var a = try await FakeClient.connect("a", to: engine)
        var b = try await FakeClient.connect("b", to: engine)
        let offerA = try #require(await a.nextOffer())
        let offerB = try #require(await b.nextOffer())
        await a.send(try EdgeTrainer(local: nil, data: world.shares[0], seed: 5).answer(offerA).update, to: engine)
        await b.send(try EdgeTrainer(local: nil, data: world.shares[1], seed: 5).answer(offerB).update, to: engine)
        _ = try #require(await a.nextRelease { $0.version == 2 ? $0 : nil })

        // A decision stored with version 2 (as the canary or an operator would) is listed with it.
        let stored = try await engine.worker.run { registry, _ in
            try registry.record(VersionDecision(version: 2, kind: "operator_promoted", reason: "the status page test promotes it"))
        }.get()
        let api = AdminAPI(startRound: { 1 }, status: { .unavailable }, versions: { VersionListing(try await engine.versions()) })
        let answer = await api.handle(method: "GET", path: "/v1/versions")
        #expect(answer.status == 200 && answer.contentType == "application/json")
        let versions = try Self.decode(answer.body).versions
        try #require(versions.map(\.number) == [1, 2], "\(answer.body)")
        let (first, second) = (versions[0], versions[1])
        #expect(first.parent == nil && first.status == "promoted" && !first.live && first.round_id == nil && first.participants == 0)
        #expect(second.parent == 1 && second.status == "promoted" && second.live && second.round_id == 1 && second.participants == 2)
        let accuracy = try #require(second.metrics["eval.digits.accuracy"])
        #expect(accuracy > 0 && accuracy <= 1 && second.metrics["eval.digits.parent_accuracy"] != nil && second.metrics["gate.promote"] == 1)
        #expect(abs(second.created_at - Date().timeIntervalSince1970) < 86_400, "created_at in Unix seconds: \(second.created_at)")
        #expect(first.decisions.isEmpty)
        #expect(second.decisions.map(\.kind) == ["operator_promoted"] && second.decisions[0].reason == "the status page test promotes it")
        #expect(second.decisions[0].at == stored.at.timeIntervalSince1970)
    }

    @Test("a running coordinator serves the page and its versions over HTTP on its admin endpoint")
    func overHTTP() async throws {
        let world = try TestWorld(clients: 1)
        defer { world.remove() }
        let configuration = try AdminEndpointTests.configuration(in: world, admin: Endpoint(host: "127.0.0.1", port: 0))
        let running = try await RunningCoordinator(configuration)
        let endpoint = Endpoint(host: "127.0.0.1", port: try #require(await running.coordinator.adminPort))
        let page = try await AdminEndpointTests.request("GET", "/", at: endpoint)
        #expect(page.status == 200 && page.body == StatusPage.html)
        let listing = try await AdminEndpointTests.request("GET", "/v1/versions", at: endpoint)
        #expect(listing.status == 200, "\(listing.body)")
        let versions = try Self.decode(listing.body).versions
        #expect(versions.count == 1 && versions[0].number == 1 && versions[0].live && versions[0].status == "promoted", "\(listing.body)")
        await running.coordinator.shutdown()
        try await running.finished()
    }
}

extension FakeClient {
    mutating func nextRelease(_ pick: (ModelRelease) -> ModelRelease?) async -> ModelRelease? {
        await next { if case .modelRelease(let release) = $0 { pick(release) } else { nil } }
    }
}
