import Metrics

/// The coordinator's counters, created once with fixed dimensions.
struct CoordinatorMetrics: Sendable {
    let updatesAccepted = Counter(label: "tributary_coordinator_updates_total", dimensions: [("result", "accepted")])
    let updatesLate = Counter(label: "tributary_coordinator_updates_total", dimensions: [("result", "late")])
    let updatesInvalid = Counter(label: "tributary_coordinator_updates_total", dimensions: [("result", "invalid")])
    let updatesNotExpected = Counter(label: "tributary_coordinator_updates_total", dimensions: [("result", "not_expected")])
    let roundsClosed = Counter(label: "tributary_coordinator_rounds_total", dimensions: [("result", "closed")])
    let roundsAbandoned = Counter(label: "tributary_coordinator_rounds_total", dimensions: [("result", "abandoned")])
    let versionsPromoted = Counter(label: "tributary_coordinator_versions_total", dimensions: [("result", "promoted")])
    let versionsRejected = Counter(label: "tributary_coordinator_versions_total", dimensions: [("result", "rejected")])
    let bytesReceived = Counter(label: "tributary_coordinator_update_bytes_total")

    func refused(_ status: String) {
        switch status {
        case "LATE": updatesLate.increment()
        case "NOT_EXPECTED": updatesNotExpected.increment()
        default: updatesInvalid.increment()
        }
    }
}
