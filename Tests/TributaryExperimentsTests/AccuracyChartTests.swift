import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TributaryExperiments

@Suite struct AccuracyChartTests {
    final class Collector: NSObject, XMLParserDelegate {
        var polylines: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if name == "polyline" { polylines.append(attributes["points"] ?? "") }
        }
    }

    @Test func oneWellFormedLinePerTaskWithAPointPerRound() {
        let rounds = (0..<6).map { r in [Double(r) / 5, 1 - Double(r) / 5, 0.5] }
        let svg = AccuracyChart.svg(roundAccuracy: rounds, taskNames: ["a", "b & c", "<d>"], roundsPerTask: 2, title: "t")
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(collector.polylines.count == 3)
        #expect(collector.polylines.allSatisfy { $0.split(separator: " ").count == 6 })
        #expect(svg.contains("b &amp; c") && svg.contains("&lt;d&gt;"))
        #expect(svg.components(separatedBy: "stroke-dasharray").count - 1 == 2)
    }
}
