import Foundation
import TributaryLearning

/// A seeded synthetic glucose-forecast CSV, the wearable-health example of a regression fleet:
/// per patient, a continuous glucose monitor reading every 5 minutes (mmol/L) that follows the
/// patient's baseline, a daily rhythm, meals (carbohydrates absorbed over about two hours) and
/// noise. Each row holds the last `history` readings, the time of day (as sin/cos of the hour),
/// the carbohydrates eaten in the last two hours, the patient's id (a task column) and the
/// reading 30 minutes later, the target.
public enum GlucoseForecast {
    public struct Settings: Sendable, Equatable {
        public var patients = 3
        public var days = 3
        /// Readings per row (one every 5 minutes).
        public var history = 6
        /// Steps ahead of the last reading the target is (6: 30 minutes).
        public var horizon = 6
        public var seed: UInt64 = 7

        public init() {}
    }

    /// The CSV text: header `g0…g5,hour_sin,hour_cos,carbs_2h,patient,glucose_30min`.
    public static func csv(_ settings: Settings = Settings()) -> String {
        var generator = SeededGenerator(seed: settings.seed)
        let header = (0..<settings.history).map { "g\($0)" } + ["hour_sin", "hour_cos", "carbs_2h", "patient", "glucose_30min"]
        var lines = [header.joined(separator: ",")]
        let steps = settings.days * 288
        for patient in 0..<settings.patients {
            let baseline = 5.5 + 2.5 * Double(generator.nextUnitFloat())
            let sensitivity = 0.03 + 0.03 * Double(generator.nextUnitFloat())
            var carbs = [Double](repeating: 0, count: steps)
            for day in 0..<settings.days {
                for mealHour in [7.5, 12.5, 19.0] {
                    let step = day * 288 + Int((mealHour + Double(generator.nextGaussian())) * 12)
                    if (0..<steps).contains(step) { carbs[step] = 30 + 50 * Double(generator.nextUnitFloat()) }
                }
            }
            var glucose = [Double](repeating: baseline, count: steps)
            var noise = 0.0
            for t in 0..<steps {
                let hour = Double(t % 288) / 12
                // Carbohydrates raise glucose along a gamma-like curve peaking after about an hour.
                var meal = 0.0
                for lag in 0..<min(t + 1, 36) where carbs[t - lag] > 0 {
                    let minutes = Double(lag * 5)
                    meal += carbs[t - lag] * sensitivity * (minutes / 60) * exp(1 - minutes / 60)
                }
                noise = 0.8 * noise + 0.15 * Double(generator.nextGaussian())
                glucose[t] = baseline + 0.6 * sin(2 * Double.pi * (hour - 4) / 24) + meal + noise
            }
            for t in (settings.history - 1)..<(steps - settings.horizon) {
                let hour = Double(t % 288) / 12
                let recent = ((t - 23)...t).reduce(0.0) { $0 + ($1 >= 0 ? carbs[$1] : 0) }
                var cells = (0..<settings.history).map { String(format: "%.2f", glucose[t - settings.history + 1 + $0]) }
                cells += [String(format: "%.4f", sin(2 * Double.pi * hour / 24)), String(format: "%.4f", cos(2 * Double.pi * hour / 24)),
                          String(format: "%.0f", recent), "p\(patient + 1)", String(format: "%.2f", glucose[t + settings.horizon])]
                lines.append(cells.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
