import ArgumentParser
import TributaryExperiments
import TributarySystem

/// `tributary glucose-csv`: writes the seeded synthetic glucose-forecast CSV, the regression
/// example for `simulate` and `federate --data FILE --task regression`.
struct GlucoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glucose-csv",
        abstract: "Write a seeded synthetic glucose-forecast CSV (last 30 min of readings, time of day, carbs → the reading 30 min later; a patient column).")

    @Option(help: "The CSV to write.") var out: String
    @Option(help: "Patients (one task each with --task-column patient).") var patients: Int = 3
    @Option(help: "Days of readings per patient (288 a day).") var days: Int = 3
    @Option var seed: UInt64 = 7

    func run() throws {
        guard (1...1000).contains(patients) else { throw ValidationError("--patients is \(patients); must be in 1...1000") }
        guard (1...365).contains(days) else { throw ValidationError("--days is \(days); must be in 1...365") }
        var settings = GlucoseForecast.Settings()
        settings.patients = patients
        settings.days = days
        settings.seed = seed
        try AtomicFile.write(Array(GlucoseForecast.csv(settings).utf8), to: out)
        print("wrote \(out): \(patients) patients × \(days * 288 - settings.history - settings.horizon + 1) rows; label column glucose_30min, task column patient")
    }
}
