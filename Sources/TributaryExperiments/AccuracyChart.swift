import Foundation

/// An SVG line chart of accuracy per task over rounds: one line per task, task boundaries as
/// dashed verticals. Pure text, viewable in any browser. With `errorScale` the values are a
/// regression's RMSE, on an axis from 0 to that value.
public enum AccuracyChart {
    public static func svg(roundAccuracy: [[Double]], taskNames: [String], roundsPerTask: Int, title: String,
                           errorScale: Double? = nil) -> String {
        let scale = max(errorScale ?? 1, 1e-9)
        let width = 760.0, height = 420.0
        let left = 60.0, right = 170.0, top = 40.0, bottom = 50.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let rounds = max(roundAccuracy.count, 1)
        let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
        func x(_ round: Int) -> Double { left + plotWidth * Double(round) / Double(max(rounds - 1, 1)) }
        func y(_ accuracy: Double) -> Double { top + plotHeight * (1 - accuracy / scale) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left))" y="22" font-size="14" font-weight="bold">\(escape(title))</text>

            """
        for tick in stride(from: 0.0, through: errorScale == nil ? 1.0 : scale * 1.000001, by: scale / 5) {
            let label = errorScale == nil ? "\(Int(tick * 100))%" : String(format: "%.2g", tick)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y(tick)))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(label)</text>\n"
        }
        if roundsPerTask > 0 {
            for boundary in stride(from: roundsPerTask, to: rounds, by: roundsPerTask) {
                let bx = (x(boundary - 1) + x(boundary)) / 2
                svg += "<line x1=\"\(f(bx))\" y1=\"\(f(top))\" x2=\"\(f(bx))\" y2=\"\(f(top + plotHeight))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
            }
        }
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>\n"
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">round (\(rounds) in all)</text>\n"
        if roundsPerTask > 0 {
            for (task, start) in stride(from: 0, to: rounds, by: roundsPerTask).enumerated() {
                let middle = (x(start) + x(min(start + roundsPerTask, rounds) - 1)) / 2
                svg += "<text x=\"\(f(middle))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\" fill=\"#555\">task \(task)</text>\n"
            }
        }
        for (task, name) in taskNames.enumerated() {
            let color = palette[task % palette.count]
            let points = roundAccuracy.enumerated().compactMap { round, row in task < row.count ? "\(f(x(round))),\(f(y(row[task])))" : nil }
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            let ly = top + 18 * Double(task)
            svg += "<line x1=\"\(f(width - right + 15))\" y1=\"\(f(ly))\" x2=\"\(f(width - right + 35))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"3\"/>"
            svg += "<text x=\"\(f(width - right + 40))\" y=\"\(f(ly + 4))\">\(escape(name))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }
}
