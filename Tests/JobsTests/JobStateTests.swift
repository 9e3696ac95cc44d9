import XCTest
@testable import Jobs

final class JobStateTests: XCTestCase {
    func testTerminalStatesAreSucceededFailedAndCancelled() {
        XCTAssertEqual(Set(JobState.allCases.filter(\.isTerminal)), [.succeeded, .failed, .cancelled])
    }

    func testAllowedTransitionsFollowTheLifeCycle() {
        let allowed: Set<String> = [
            "queued>running", "queued>cancelled",
            "running>succeeded", "running>failed", "running>cancelled", "running>queued",
            "failed>queued", "cancelled>queued",
        ]
        for from in JobState.allCases {
            for to in JobState.allCases {
                XCTAssertEqual(from.canTransition(to: to), allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
    }

    func testSucceededJobsNeverChangeState() {
        XCTAssertTrue(JobState.allCases.allSatisfy { !JobState.succeeded.canTransition(to: $0) })
    }

    func testIdentifiersAreSafeInPathsAndRejectTraversal() {
        let id = JobID.make()
        XCTAssertTrue(id.hasPrefix("j"))
        XCTAssertEqual(id.count, 17)
        XCTAssertTrue(JobID.isValid(id))
        for bad in ["", "../etc", "a/b", "a.b", "%2e%2e", "ABC", String(repeating: "a", count: 65), "a b"] {
            XCTAssertFalse(JobID.isValid(bad), bad)
        }
    }

    func testBackoffDoublesPerAttemptUpToTheCap() {
        let policy = RetryPolicy(baseDelay: 2, maxDelay: 30, jitter: 0)
        XCTAssertEqual((1...6).map { policy.delay(afterAttempt: $0, unit: 0.7) }, [2, 4, 8, 16, 30, 30])
    }

    func testJitterStaysWithinItsBand() {
        let policy = RetryPolicy(baseDelay: 10, maxDelay: 100, jitter: 0.25)
        XCTAssertEqual(policy.delay(afterAttempt: 1, unit: 0), 7.5, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterAttempt: 1, unit: 0.5), 10, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterAttempt: 1, unit: 0.999_999), 12.5, accuracy: 1e-4)
    }
}
