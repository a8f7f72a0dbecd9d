import Foundation
import TributaryExperiments
import TributaryLearning
import TributarySystem

/// The tasks of a simulation and each client's share of every task's training data.
struct SimulationData: Sendable {
    var tasks: [ContinualTask]
    /// `shares[task][client]`: row indices into `tasks[task].train`.
    var shares: [[[Int]]]

    init(configuration: SimulationConfiguration) throws {
        let all = try configuration.userData?.tasks(seed: configuration.seed)
            ?? DigitsBenchmark.tasks(configuration.scenario, data: try DigitsBenchmark.load(path: configuration.dataPath), seed: configuration.seed)
        let tasks = Array(all.prefix(configuration.taskLimit ?? all.count))
        self.tasks = tasks
        shares = try tasks.enumerated().map { index, task in
            try Self.partition(task.train, task: index, of: tasks.count, configuration: configuration).clients
        }
    }

    /// `holders[task]`: how many clients hold data for the task (the only ones eligible for its rounds).
    var holders: [Int] { shares.map { $0.filter { !$0.isEmpty }.count } }

    func dataset(task: Int, client: Int) -> Dataset {
        tasks[task].train.subset(shares[task][client])
    }

    /// The split as a partition file (`{"tasks": [{"clients": …}, …]}`), to rerun exactly.
    func partitionFile() throws -> [UInt8] {
        struct File: Encodable { var tasks: [Partition] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(File(tasks: shares.map { Partition(clients: $0) })))
    }

    private static func partition(_ train: Dataset, task: Int, of taskCount: Int, configuration: SimulationConfiguration) throws -> Partition {
        let seed = configuration.seed &+ UInt64(task)
        let partition: Partition
        switch configuration.partition {
        case .iid:
            partition = Partition.iid(count: train.count, clients: configuration.clients, seed: seed)
        case .dirichlet(let alpha):
            partition = Partition.dirichlet(labels: train.labels, clients: configuration.clients, alpha: alpha, seed: seed)
        case .file(let path):
            partition = try PartitionFile.load(path: path, task: task, taskCount: taskCount, rowCount: train.count)
        }
        guard partition.clients.count == configuration.clients else {
            throw LearningError(.invalidData, "partition \(configuration.partition) has \(partition.clients.count) clients for task \(task + 1); --clients is \(configuration.clients)")
        }
        return partition
    }
}

/// Reads partition files: one split for every task, or one per task.
enum PartitionFile {
    static func load(path: String, task: Int, taskCount: Int, rowCount: Int) throws -> Partition {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch let error as FileError { throw LearningError(.io, error.reason) }
        struct PerTask: Decodable { var tasks: [Partition] }
        if let perTask = try? JSONDecoder().decode(PerTask.self, from: Data(bytes)) {
            guard perTask.tasks.count >= taskCount else {
                throw LearningError(.invalidData, "partition file \(path): has \(perTask.tasks.count) tasks; the simulation runs \(taskCount)")
            }
            try check(perTask.tasks[task], path: path, task: task, rowCount: rowCount)
            return perTask.tasks[task]
        }
        return try Partition.load(path: path, rowCount: rowCount)
    }

    private static func check(_ partition: Partition, path: String, task: Int, rowCount: Int) throws {
        for (client, rows) in partition.clients.enumerated() {
            if let bad = rows.first(where: { $0 < 0 || $0 >= rowCount }) {
                throw LearningError(.invalidData, "partition file \(path): task \(task + 1), client \(client) names row \(bad), outside 0..<\(rowCount)")
            }
        }
    }
}
