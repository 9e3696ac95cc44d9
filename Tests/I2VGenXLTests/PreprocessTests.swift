import I2VGenXL
import XCTest

/// The pipeline's image preprocessing reproduced bit for bit: Python float floor division,
/// Pillow's zero fill outside the crop, BOX and antialiased BILINEAR resampling. Expected values
/// come from diffusers 0.33.1's `_center_crop_wide` / `_resize_bilinear` with Pillow 13.0 on the
/// same synthetic image (printed by the Python snippet in each test's comment).
final class PreprocessTests: XCTestCase {
    func testPythonFloatFloorDivisionIsNotFloorOfQuotient() {
        XCTAssertEqual(PythonArithmetic.floorDivide(576, 0.45), 1279)
        XCTAssertEqual((576 / 0.45).rounded(.down), 1280)
        XCTAssertEqual(PythonArithmetic.floorDivide(1024, 0.45), 2275)
        XCTAssertEqual(PythonArithmetic.floorDivide(-7.5, 2), -4)
        XCTAssertEqual(PythonArithmetic.floorDivide(7.5, -2), -4)
        XCTAssertEqual(PythonArithmetic.floorDivide(-1, 2), -1)
        XCTAssertEqual(PythonArithmetic.floorDivide(7, -2), -4)
        XCTAssertEqual(PythonArithmetic.floorDivide(6, 3), 2)
    }

    func testCropOutsideTheImageIsZeroFilled() throws {
        let image = try RGB8Image(width: 2, height: 2, pixels: Array(repeating: 200, count: 12))
        let crop = ImageCrop.crop(image, x: -1, y: 1, width: 3, height: 2)
        XCTAssertEqual(crop.pixels, [0, 0, 0, 200, 200, 200, 200, 200, 200,
                                     0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    /// pixel(x, y, c) = (7x + 13y + 101c + (x·y mod 31)) mod 256, 1024×576.
    func syntheticImage() throws -> RGB8Image {
        let (w, h) = (1024, 576)
        var p = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 { p[(y * w + x) * 3 + c] = UInt8((x * 7 + y * 13 + c * 101 + (x * y) % 31) % 256) }
            }
        }
        return try RGB8Image(width: w, height: h, pixels: p)
    }

    func sum(_ image: RGB8Image) -> Int { image.pixels.reduce(0) { $0 + Int($1) } }

    func pixel(_ image: RGB8Image, _ x: Int, _ y: Int) -> [UInt8] {
        let i = (y * image.width + x) * 3
        return Array(image.pixels[i..<(i + 3)])
    }

    /// 1024×576 at width 1280: BOX-resized to 2275×1279 (floor-division quirk) and cropped at
    /// (497, −1), so the top row is black — then bilinear to 224×224.
    /// Python: c = _center_crop_wide(img, (1280, 1280)); r = _resize_bilinear(c, (224, 224))
    func testSquareCropAndClipResizeMatchPillow() throws {
        let square = try ImageCrop.centerCropWide(syntheticImage(), width: 1280, height: 1280)
        XCTAssertEqual([square.width, square.height], [1280, 1280])
        XCTAssertEqual(sum(square), 626_146_829)
        XCTAssertTrue(square.pixels[0..<(1280 * 3)].allSatisfy { $0 == 0 }, "top row should be Pillow's zero fill")
        XCTAssertEqual(pixel(square, 0, 1), [25, 126, 227])
        XCTAssertEqual(pixel(square, 1, 1), [32, 133, 234])
        XCTAssertEqual(pixel(square, 640, 640), [180, 25, 126])

        let clip = try PillowResample.resize(square, width: 224, height: 224, filter: .bilinear)
        XCTAssertEqual(sum(clip), 19_181_349)
        XCTAssertEqual(pixel(clip, 0, 0), [48, 137, 126])
        XCTAssertEqual(pixel(clip, 57, 100), [70, 171, 54])
        XCTAssertEqual(pixel(clip, 223, 223), [97, 104, 205])
    }

    /// Python: v = _center_crop_wide(img, (1280, 704)) — 1024 // 0.8 lands one column short.
    func testVideoFrameCropMatchesPillow() throws {
        let frame = try ImageCrop.centerCropWide(syntheticImage(), width: 1280, height: 704)
        XCTAssertEqual([frame.width, frame.height], [1280, 704])
        XCTAssertEqual(sum(frame), 344_414_578)
        XCTAssertEqual(pixel(frame, 0, 0), [0, 0, 0])
        XCTAssertEqual(pixel(frame, 1279, 703), [222, 67, 168])
    }

    func testMalformedImageIsRejected() {
        XCTAssertThrowsError(try RGB8Image(width: 2, height: 2, pixels: [1, 2, 3]))
        XCTAssertThrowsError(try RGB8Image(width: 0, height: 2, pixels: []))
    }
}
