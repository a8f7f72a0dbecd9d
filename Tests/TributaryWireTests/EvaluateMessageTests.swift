import Testing
@testable import TributaryWire

@Suite("EvaluateRequest and EvaluateResult refusals")
struct EvaluateMessageTests {
    func refusal(_ build: (inout Tributary_V1_EvaluateResult) -> Void) -> String {
        var proto = EvaluateResult(evaluationID: 3, version: 10, classes: [1: .init(correct: 2, total: 4)]).toProto()
        build(&proto)
        var envelope = Tributary_V1_Envelope()
        envelope.protocolVersion = WireProtocol.version
        envelope.message = .evaluateResult(proto)
        do {
            _ = try FrameCodec.decode(Fixtures.frame(envelope))
            return "accepted"
        } catch let error as WireError {
            return error.reason
        } catch {
            return "\(error)"
        }
    }

    @Test func aResultThatCannotBeTrueIsRefusedNamingTheValue() {
        #expect(refusal { $0.classes[0].correct = 5 } == "EvaluateResult.classes (label 1).correct is 5; must be <= total 4")
        #expect(refusal { $0.classes[0].total = 0; $0.classes[0].correct = 0 } == "EvaluateResult.classes (label 1).total is 0; a listed class or task must have examples")
        #expect(refusal { $0.classes.append($0.classes[0]) } == "EvaluateResult.classes lists label 1 twice")
        #expect(refusal { $0.evaluationID = 0 } == "EvaluateResult.evaluation_id is 0; it is required and must be > 0")
        #expect(refusal { $0.reason = String(repeating: "x", count: 257) } == "EvaluateResult.reason is 257 bytes; at most 256 allowed")
        #expect(refusal { _ in } == "accepted")
    }

    @Test func aRequestWithoutModelOrDeadlineIsRefused() throws {
        var proto = EvaluateRequest(evaluationID: 1, version: 2, model: .full(Fixtures.parameters(seed: 1)), deadlineUnixMilliseconds: 5).toProto()
        proto.deadlineUnixMs = 0
        #expect(throws: WireError.self) { _ = try EvaluateRequest(proto: proto) }
        proto.deadlineUnixMs = 5
        proto.clearModel()
        do {
            _ = try EvaluateRequest(proto: proto)
            Issue.record("accepted")
        } catch let error as WireError {
            #expect(error.reason == "EvaluateRequest.model is absent; it is required")
        }
    }

    @Test func totalsSumEveryClass() {
        let result = EvaluateResult(evaluationID: 1, version: 2, classes: [0: .init(correct: 3, total: 5), 4: .init(correct: 1, total: 5)])
        #expect(result.total == 10)
        #expect(result.correct == 4)
    }
}
