/// Splits CSV bytes into records as they arrive, with no I/O (RFC 4180): fields separated by the
/// delimiter, records by LF or CRLF; a field in double quotes may hold the delimiter, line breaks
/// and doubled quotes (`""`). Unquoted fields are trimmed of spaces, tabs and a CR; blank lines
/// are skipped; a leading UTF-8 byte-order mark is ignored.
///
/// Memory is bounded by `maxRecordBytes`: a longer record is an error naming its line, so a file
/// with no line breaks is refused after that many bytes, not after reading it all.
struct CSVRecordSplitter {
    struct Record {
        /// The 1-based line on which the record starts.
        var line: Int
        var fields: [String]
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted, afterQuoted }

    let source: String
    let delimiter: UInt8
    let maxRecordBytes: Int
    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var fieldQuoted = false
    private var recordBytes = 0
    private var recordLine = 1
    private var line = 1
    /// The first bytes, held until they show whether the input starts with a byte-order mark.
    private var head: [UInt8]? = []

    init(source: String, delimiter: UInt8, maxRecordBytes: Int) {
        self.source = source
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
    }

    /// Feeds the next bytes; `emit` receives every record they complete, in order.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (Record) throws -> Void) throws {
        for byte in bytes {
            if var held = head {
                held.append(byte)
                if held == Self.byteOrderMark { head = nil; continue }
                if Self.byteOrderMark.starts(with: held) { head = held; continue }
                head = nil
                for byte in held { try take(byte, emit) }
            } else {
                try take(byte, emit)
            }
        }
    }

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private mutating func take(_ byte: UInt8, _ emit: (Record) throws -> Void) throws {
        recordBytes += 1
        if recordBytes > maxRecordBytes {
            throw LearningError(.invalidData, "\(source): line \(recordLine) is longer than \(maxRecordBytes) bytes (the maximum line length); is this a CSV file?")
        }
        if byte == .newline { line += 1 }
        switch state {
        case .fieldStart:
            switch byte {
            case delimiter: endField()
            case .space, .tab: break
            case .quote: state = .quoted; fieldQuoted = true
            case .newline: try endRecord(emit)
            default: field.append(byte); state = .unquoted
            }
        case .unquoted:
            switch byte {
            case delimiter: endField()
            case .newline: try endRecord(emit)
            default: field.append(byte)
            }
        case .quoted:
            if byte == .quote { state = .quoteInQuoted } else { field.append(byte) }
        case .quoteInQuoted:
            switch byte {
            case delimiter: endField()
            case .quote: field.append(byte); state = .quoted
            case .newline: try endRecord(emit)
            case .space, .tab, .carriageReturn: state = .afterQuoted
            default: throw afterQuote(byte)
            }
        case .afterQuoted:
            switch byte {
            case delimiter: endField()
            case .space, .tab, .carriageReturn: break
            case .newline: try endRecord(emit)
            default: throw afterQuote(byte)
            }
        }
    }

    /// Ends the input: completes a last record that has no line break.
    mutating func finish(emit: (Record) throws -> Void) throws {
        if let held = head {
            head = nil
            for byte in held { try take(byte, emit) }
        }
        if state == .quoted {
            throw LearningError(.invalidData, "\(source): row \(recordLine): a quoted field is not closed (a '\"' is missing before the end of the file)")
        }
        if state != .fieldStart || !fields.isEmpty || fieldQuoted { try endRecord(emit) }
    }

    private func afterQuote(_ byte: UInt8) -> LearningError {
        LearningError(.invalidData, "\(source): row \(recordLine), column \(fields.count + 1): '\(Character(Unicode.Scalar(byte)))' after a closing quote (a quote inside a quoted field is written \"\")")
    }

    private mutating func endField() {
        if !fieldQuoted {
            while let last = field.last, last == .space || last == .tab || last == .carriageReturn { field.removeLast() }
        }
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        fieldQuoted = false
        state = .fieldStart
    }

    private mutating func endRecord(_ emit: (Record) throws -> Void) throws {
        let quoted = fieldQuoted
        endField()
        let blank = fields.count == 1 && fields[0].isEmpty && !quoted
        if !blank { try emit(Record(line: recordLine, fields: fields)) }
        fields.removeAll(keepingCapacity: true)
        recordBytes = 0
        recordLine = line
    }
}

private extension UInt8 {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let quote = UInt8(ascii: "\"")
}
