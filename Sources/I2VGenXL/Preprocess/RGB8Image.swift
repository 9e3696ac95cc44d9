/// An 8-bit RGB image as the preprocessing reproduces Pillow on it: rows top to bottom, pixels
/// interleaved R, G, B (the layout of `np.array(pil_image)`, [H, W, 3]).
public struct RGB8Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width · height · 3` bytes.
    public var pixels: [UInt8]

    /// Fails (naming the image) when the byte count does not match the size.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0, pixels.count == width * height * 3 else {
            throw PreprocessError.invalidImage("\(width)×\(height) RGB image needs \(max(width * height * 3, 0)) bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An all-zero image (Pillow's fill for crop areas outside the source).
    init(zeros width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
    }
}

public enum PreprocessError: Error, CustomStringConvertible, Equatable {
    case invalidImage(String)
    case invalidSize(String)

    public var description: String {
        switch self {
        case .invalidImage(let m): return "invalid image: \(m)"
        case .invalidSize(let m): return "invalid preprocessing size: \(m)"
        }
    }
}
