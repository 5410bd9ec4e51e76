import Foundation

/// The stored form: one version byte, then the slots as little-endian UInt32 (513 bytes).
extension MinHashSignature {
    static let encodingVersion: UInt8 = 1

    public enum DecodingError: Error, Equatable {
        case unknownVersion(UInt8)
        case wrongLength(expected: Int, actual: Int)
    }

    public var data: Data {
        var bytes = [UInt8]()
        bytes.reserveCapacity(1 + 4 * Self.slotCount)
        bytes.append(Self.encodingVersion)
        for value in values {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes)
    }

    public init(data: Data) throws {
        let expected = 1 + 4 * Self.slotCount
        guard data.count == expected else { throw DecodingError.wrongLength(expected: expected, actual: data.count) }
        let bytes = [UInt8](data)
        guard bytes[0] == Self.encodingVersion else { throw DecodingError.unknownVersion(bytes[0]) }
        var values = [UInt32](repeating: 0, count: Self.slotCount)
        for slot in 0..<Self.slotCount {
            let base = 1 + 4 * slot
            values[slot] = UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
        }
        self.init(values: values)
    }
}
