/// Bounds checked before any pixel memory is allocated, so a hostile file (a "decompression
/// bomb": a few bytes declaring 60000x60000 pixels) is rejected from its header alone.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest accepted file, in bytes.
    public var maxBytes: Int
    /// Largest accepted width × height of the stored image (or animation canvas).
    public var maxPixels: Int
    /// Smallest accepted side, in pixels, after EXIF orientation.
    public var minimumSide: Int
    /// Most scans a progressive JPEG may have (each scan is a full pass over the coefficients).
    public var maxProgressiveScans: Int
    /// Working memory libjpeg may use (progressive JPEGs buffer all coefficients), in bytes.
    public var maxDecoderMemory: Int

    public init(maxBytes: Int = 50 << 20, maxPixels: Int = 40_000_000, minimumSide: Int = 64,
                maxProgressiveScans: Int = 500, maxDecoderMemory: Int = 1 << 30) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.minimumSide = minimumSide
        self.maxProgressiveScans = maxProgressiveScans
        self.maxDecoderMemory = maxDecoderMemory
    }

    public static let `default` = DecodeLimits()
}

public struct DecodeOptions: Sendable, Equatable {
    public var limits: DecodeLimits
    /// Colour that transparent pixels are composited over.
    public var background: RGBColor
    /// Apply the EXIF orientation tag (JPEG APP1, PNG eXIf, WebP EXIF chunk).
    public var applyOrientation: Bool
    /// When set, a JPEG may be decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling, much
    /// faster) as long as its shorter side stays at least this long. Callers that will downscale
    /// anyway (e.g. preparing a 512 px frame from a 12 MP photo) pass their target size.
    public var minimumShortSide: Int?

    public init(limits: DecodeLimits = .default, background: RGBColor = .white, applyOrientation: Bool = true,
                minimumShortSide: Int? = nil) {
        self.limits = limits
        self.background = background
        self.applyOrientation = applyOrientation
        self.minimumShortSide = minimumShortSide
    }
}

/// A decoded still image and what was learnt about it on the way.
public struct DecodedImage: Sendable, Equatable {
    /// Oriented, alpha composited.
    public var image: RGBImage
    public var format: ImageFormat
    /// Size as stored in the file, before orientation and any DCT scaling.
    public var storedWidth: Int
    public var storedHeight: Int
    public var orientation: EXIFOrientation
    /// The file had an alpha channel or transparency (composited over the background).
    public var hadAlpha: Bool
    /// Progressive JPEG / animated WebP (first frame taken).
    public var progressive: Bool
    public var animated: Bool
}
