import Foundation
import Quality
import XCTest

final class QCThresholdsTests: XCTestCase {
    func testDefaultsRoundTripThroughJSON() throws {
        let data = try JSONEncoder().encode(QCThresholds.standard)
        XCTAssertEqual(try QCThresholds.fromJSON(data), .standard)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Double])
        XCTAssertEqual(object["fidelityMinSSIM"], 0.6)
        XCTAssertEqual(object["jitterMaxHighFrequencyRMS"], 0.2)
    }

    func testAPartialObjectOverridesOnlyTheFieldsItNames() throws {
        let t = try QCThresholds.fromJSON(Data(#"{"fidelityMinSSIM": 0.8, "maxBadFrames": 2}"#.utf8))
        XCTAssertEqual(t.fidelityMinSSIM, 0.8)
        XCTAssertEqual(t.maxBadFrames, 2)
        XCTAssertEqual(t.sharpnessMinFrameRatio, QCThresholds.standard.sharpnessMinFrameRatio)
    }

    func testAnUnknownNameIsAnErrorNamingIt() {
        XCTAssertThrowsError(try QCThresholds.fromJSON(Data(#"{"fidelityMinSSM": 0.8}"#.utf8))) { e in
            XCTAssertEqual(e as? QCError, .unknownThreshold(name: "fidelityMinSSM"))
            XCTAssertTrue("\(e)".contains("fidelityMinSSM"))
        }
    }

    func testAValueOutOfRangeIsAnErrorNamingTheField() {
        XCTAssertThrowsError(try QCThresholds.fromJSON(Data(#"{"jitterMaxSignFlipRate": 3}"#.utf8))) { e in
            guard case .invalidThreshold(let name, let value, _)? = e as? QCError else { return XCTFail("\(e)") }
            XCTAssertEqual(name, "jitterMaxSignFlipRate")
            XCTAssertEqual(value, 3)
        }
        var t = QCThresholds()
        t.blankMaxStd = -1
        XCTAssertThrowsError(try t.validate())
    }

    func testNonNumbersAndNonObjectsAreReadableErrors() {
        for text in [#"{"fidelityMinSSIM": "high"}"#, "[1, 2]", "not json"] {
            XCTAssertThrowsError(try QCThresholds.fromJSON(Data(text.utf8)), text) { e in
                guard case .thresholdsNotReadable? = e as? QCError else { return XCTFail("\(text): \(e)") }
            }
        }
    }
}
