import Testing
import TributaryWire

/// Expects `body` to throw a WireError with this code and, if given, exactly this reason.
func expectWireError(_ code: WireError.Code, _ reason: String? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    let error = #expect(throws: WireError.self, sourceLocation: sourceLocation) { try body() }
    guard let error else { return }
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    if let reason {
        #expect(error.reason == reason, sourceLocation: sourceLocation)
    }
}
