import Glibc
import Logging

/// A swift-log handler for a systemd service: one line per event on stderr, prefixed with the
/// syslog priority (`<6>`) that journald turns into the entry's PRIORITY.
///
/// A line is logfmt or one JSON object. Metadata is the handler's, then the provider's, then the
/// call's, the later winning; nested dictionaries become dotted keys (`http.status`) and keys are
/// sorted, so an event always prints the same line. Values of secret-looking keys become
/// `[redacted]`, values over ``maximumValueLength`` bytes are cut, and control characters are
/// escaped, so no value can start a line of its own.
public struct JournalLogHandler: LogHandler {
    /// How a line is written after its priority prefix.
    public enum Format: Sendable {
        /// `level=info msg="webhook request refused" label=intake intake.source=portal`
        case logfmt
        /// `{"level":"info","msg":"webhook request refused","label":"intake","intake.source":"portal"}`
        case json
    }

    /// Values longer than this many UTF-8 bytes are cut, so a request body never lands in the log whole.
    public static let maximumValueLength = 1024
    /// Metadata keys containing one of these (case-insensitive) have their values redacted.
    public static let secretKeyMarkers = ["password", "secret", "token", "authorization", "signature"]
    /// Field names the handler writes itself; metadata with these keys is written as `metadata.<key>`.
    private static let reservedKeys: Set = ["ts", "level", "msg", "label"]

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    /// The logger's label, written as `label` on every line.
    public let label: String
    public var format: Format
    /// Whether lines start with a UTC time (`ts=2025-01-31T08:00:00.123Z`): journald stamps lines itself, a terminal does not.
    public var includeTimestamp: Bool
    private let output: @Sendable ([UInt8]) -> Void

    /// A handler for `label`; `output` receives each complete line, newline included.
    public init(
        label: String,
        format: Format = .logfmt,
        includeTimestamp: Bool = false,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        output: @escaping @Sendable ([UInt8]) -> Void = JournalLogHandler.writeToStandardError
    ) {
        self.label = label
        self.format = format
        self.includeTimestamp = includeTimestamp
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var flattened: [String: String] = [:]
        Self.flatten(merged, prefix: "", into: &flattened)

        var fields: [(key: String, value: String)] = []
        if includeTimestamp { fields.append(("ts", Self.timestamp())) }
        fields.append(("level", event.level.rawValue))
        fields.append(("msg", Self.truncated(event.message.description)))
        fields.append(("label", label))
        fields += flattened.map { (Self.reservedKeys.contains($0.key) ? "metadata." + $0.key : $0.key, $0.value) }
            .sorted { $0.key < $1.key }

        var line = Array("<\(Self.priority(event.level))>".utf8)
        switch format {
        case .logfmt:
            for (index, field) in fields.enumerated() {
                if index > 0 { line.append(UInt8(ascii: " ")) }
                for scalar in field.key.unicodeScalars {
                    Self.append(Self.needsQuoting(scalar) ? "_" : scalar, to: &line)
                }
                line.append(UInt8(ascii: "="))
                if field.value.isEmpty || field.value.unicodeScalars.contains(where: Self.needsQuoting) {
                    Self.appendQuoted(field.value, to: &line)
                } else {
                    line += field.value.utf8
                }
            }
        case .json:
            line.append(UInt8(ascii: "{"))
            for (index, field) in fields.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                Self.appendQuoted(field.key, to: &line)
                line.append(UInt8(ascii: ":"))
                Self.appendQuoted(field.value, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
        line.append(UInt8(ascii: "\n"))
        output(line)
    }

    /// Writes `bytes` to fd 2 in one `write(2)`, continuing only after a partial write or EINTR;
    /// other errors drop the line, as logging has nowhere to report them.
    public static func writeToStandardError(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written == 0 || errno != EINTR {
                    return
                }
            }
        }
    }

    /// The syslog priority journald reads from a `<N>` line prefix (sd-daemon(3)).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    static func isSecret(_ key: String) -> Bool {
        let key = key.lowercased()
        return secretKeyMarkers.contains { key.contains($0) }
    }

    /// `value` cut to at most ``maximumValueLength`` bytes on a scalar boundary, with its full size appended.
    static func truncated(_ value: String) -> String {
        let bytes = value.utf8
        guard bytes.count > maximumValueLength else { return value }
        var end = bytes.index(bytes.startIndex, offsetBy: maximumValueLength)
        while UTF8.isContinuation(bytes[end]) { bytes.formIndex(before: &end) }
        return String(decoding: bytes[..<end], as: UTF8.self) + "…(\(bytes.count) bytes)"
    }

    /// Nested dictionaries become dotted keys, so `["http": ["status": 401]]` logs as `http.status=401`.
    private static func flatten(_ metadata: Logger.Metadata, prefix: String, into fields: inout [String: String]) {
        for (key, value) in metadata {
            let name = prefix + key
            if case .dictionary(let nested) = value, !nested.isEmpty {
                flatten(nested, prefix: name + ".", into: &fields)
            } else {
                fields[name] = isSecret(name) ? "[redacted]" : truncated(text(value))
            }
        }
    }

    /// Arrays, and dictionaries inside them, in swift-log's own `[a, b]` / `[key: value]` notation.
    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let items): "[" + items.map(text).joined(separator: ", ") + "]"
        case .dictionary(let entries) where entries.isEmpty: "[:]"
        case .dictionary(let entries):
            "[" + entries.sorted { $0.key < $1.key }
                .map { "\($0.key): \(isSecret($0.key) ? "[redacted]" : text($0.value))" }
                .joined(separator: ", ") + "]"
        }
    }

    /// Characters that would end a line or confuse a terminal: C0, DEL, C1 and the Unicode line separators.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    /// What makes a logfmt value need quotes, or a logfmt key need the character replaced.
    private static func needsQuoting(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "=" || scalar == "\"" || isControl(scalar)
    }

    /// A JSON string literal, which is also a valid quoted logfmt value: nothing in it can break the line.
    private static func appendQuoted(_ value: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": line += #"\""#.utf8
            case "\\": line += #"\\"#.utf8
            case "\n": line += #"\n"#.utf8
            case "\r": line += #"\r"#.utf8
            case "\t": line += #"\t"#.utf8
            case _ where isControl(scalar):
                let hex = String(scalar.value, radix: 16)
                line += (#"\u"# + String(repeating: "0", count: 4 - hex.count) + hex).utf8
            default: append(scalar, to: &line)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    private static func append(_ scalar: Unicode.Scalar, to line: inout [UInt8]) {
        UTF8.encode(scalar) { line.append($0) }
    }

    /// The current UTC time with milliseconds, RFC 3339.
    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        gmtime_r(&now.tv_sec, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S", &parts)
        let milliseconds = String(1000 + now.tv_nsec / 1_000_000).dropFirst()  // zero-padded to three digits
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) + ".\(milliseconds)Z"
    }
}
