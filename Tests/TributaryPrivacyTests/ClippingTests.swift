import Testing
import TributaryPrivacy

@Suite struct ClippingTests {
    @Test func deltaOutsideTheBallIsScaledOntoIt() throws {
        let clipping = try DeltaClipping(l2Bound: 1)
        let (clipped, scale) = try clipping.clip([3, 4])  // ‖Δ‖ = 5
        #expect(scale == 0.2)
        #expect(abs(clipped[0] - 0.6) < 1e-6 && abs(clipped[1] - 0.8) < 1e-6)
    }

    @Test func deltaInsideTheBallIsUnchanged() throws {
        let (clipped, scale) = try DeltaClipping(l2Bound: 10).clip([3, -4, 0])
        #expect(clipped == [3, -4, 0])
        #expect(scale == 1)
    }

    @Test func fisherIsCappedPerParameterThenBoundedInL2() throws {
        let clipping = try FisherClipping(perParameterCap: 2, l2Bound: 2)
        // A client claiming 10⁶ on one parameter keeps 2 there; the capped vector [2, 2, 1] has
        // norm 3 and is scaled to norm 2.
        let (clipped, scale) = try clipping.clip([1e6, 2, 1])
        #expect(abs(scale - 2.0 / 3.0) < 1e-6)
        let norm = clipped.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 2) < 1e-5)
        #expect(abs(clipped[0] - 4.0 / 3.0) < 1e-5)
    }

    @Test func badInputsAreRefusedByName() throws {
        #expect(throws: PrivacyError(.invalidConfiguration, "")) { try DeltaClipping(l2Bound: 0) }
        #expect(throws: PrivacyError(.invalidConfiguration, "")) { try FisherClipping(perParameterCap: .infinity, l2Bound: 1) }
        do {
            _ = try DeltaClipping(l2Bound: 1).clip([0, .nan])
            Issue.record("a NaN delta was clipped")
        } catch let error as PrivacyError {
            #expect(error.code == .nonFiniteInput)
            #expect(error.reason.contains("delta[1] is nan"))
        }
        do {
            _ = try FisherClipping(perParameterCap: 1, l2Bound: 1).clip([0.5, -0.25])
            Issue.record("a negative Fisher was clipped")
        } catch let error as PrivacyError {
            #expect(error.code == .negativeFisher)
            #expect(error.reason.contains("Fisher[1] is -0.25"))
        }
    }
}
