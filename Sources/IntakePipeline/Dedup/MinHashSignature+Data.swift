import Foundation

/// The stored form: one version byte, then the slots as little-endian UInt16 (257 bytes).
/// Version 1 (before 2026-12-03: 32-bit slots, 513 bytes) is still read, folded to 16 bits.
extension MinHashSignature {
    static let encodingVersion: UInt8 = 2

    public enum DecodingError: Error, Equatable {
        case unknownVersion(UInt8)
        case wrongLength(expected: Int, actual: Int)
    }

    public var data: Data {
        var bytes = [UInt8]()
        bytes.reserveCapacity(1 + 2 * Self.slotCount)
        bytes.append(Self.encodingVersion)
        for value in values {
            bytes.append(UInt8(truncatingIfNeeded: value))
            bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        }
        return Data(bytes)
    }

    public init(data: Data) throws {
        guard let version = data.first else { throw DecodingError.wrongLength(expected: 1 + 2 * Self.slotCount, actual: 0) }
        let width: Int
        switch version {
        case 1: width = 4
        case 2: width = 2
        default: throw DecodingError.unknownVersion(version)
        }
        let expected = 1 + width * Self.slotCount
        guard data.count == expected else { throw DecodingError.wrongLength(expected: expected, actual: data.count) }
        var values = [UInt32](repeating: 0, count: Self.slotCount)
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for slot in 0..<Self.slotCount {
                var value: UInt32 = 0
                for byte in 0..<width { value |= UInt32(bytes[1 + width * slot + byte]) << (8 * UInt32(byte)) }
                values[slot] = width == 4 ? value >> (32 - UInt32(Self.slotBits)) : value
            }
        }
        self.init(values: values)
    }
}
