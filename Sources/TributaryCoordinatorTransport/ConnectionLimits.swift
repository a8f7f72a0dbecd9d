/// Counts the coordinator's open connections, in all and per source address, and decides
/// whether a new one may stay: a value type with no I/O, the clock passed in.
///
/// A refusal also says whether to log it: at most one line per ``logInterval`` (with how many
/// refusals went unlogged since), so a flood of connections cannot flood the log too.
struct ConnectionLimits: Sendable {
    /// Which limit refused a connection (the metric's `limit` dimension).
    enum Limit: String, Sendable, Hashable {
        case total
        case perAddress = "per_address"
    }

    enum Decision: Sendable, Hashable {
        case admit
        /// Close the connection; `log` is the number of refusals this log line stands for
        /// (nil: do not log now).
        case refuse(Limit, log: Int?)
    }

    let maxTotal: Int
    let maxPerAddress: Int
    let logInterval: Duration
    private(set) var total = 0
    private var perAddress: [String: Int] = [:]
    private var lastLog: ContinuousClock.Instant?
    private var unlogged = 0

    init(maxTotal: Int, maxPerAddress: Int, logInterval: Duration = .seconds(10)) {
        self.maxTotal = maxTotal
        self.maxPerAddress = maxPerAddress
        self.logInterval = logInterval
    }

    /// Open connections from `address`.
    func count(from address: String) -> Int { perAddress[address] ?? 0 }

    /// A connection from `address` was accepted: count it, or refuse it.
    mutating func opened(from address: String, now: ContinuousClock.Instant) -> Decision {
        let limit: Limit
        if total >= maxTotal {
            limit = .total
        } else if count(from: address) >= maxPerAddress {
            limit = .perAddress
        } else {
            total += 1
            perAddress[address, default: 0] += 1
            return .admit
        }
        unlogged += 1
        if let lastLog, now < lastLog + logInterval { return .refuse(limit, log: nil) }
        lastLog = now
        defer { unlogged = 0 }
        return .refuse(limit, log: unlogged)
    }

    /// An admitted connection from `address` closed.
    mutating func closed(from address: String) {
        guard let count = perAddress[address] else { return }
        total -= 1
        perAddress[address] = count > 1 ? count - 1 : nil
    }
}
