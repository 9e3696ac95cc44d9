// A small C layer over libjpeg(-turbo). libjpeg reports fatal errors by calling error_exit, which
// must not return; the only safe way to recover is setjmp/longjmp, which Swift cannot express.
// Every function here sets its own setjmp point before calling into libjpeg and turns a fatal
// error into a non-zero return code and a message, so corrupt input never aborts the process.
#ifndef I2V_JPEG_H
#define I2V_JPEG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define I2V_JPEG_OK 0
#define I2V_JPEG_ERROR 1            // libjpeg fatal error (corrupt or unsupported data); see message
#define I2V_JPEG_TRUNCATED 2        // the data ended before the image did
#define I2V_JPEG_TOO_MANY_SCANS 3
#define I2V_JPEG_OUT_OF_MEMORY 4
#define I2V_JPEG_BAD_ARGUMENT 5

/// Colour models of the compressed data (mirrors J_COLOR_SPACE values we care about).
#define I2V_JPEG_CS_OTHER 0
#define I2V_JPEG_CS_GRAY 1
#define I2V_JPEG_CS_RGB 2
#define I2V_JPEG_CS_YCBCR 3
#define I2V_JPEG_CS_CMYK 4
#define I2V_JPEG_CS_YCCK 5

typedef struct i2v_jpeg_info {
    int width;
    int height;
    int components;          // in the file
    int color_space;         // I2V_JPEG_CS_*
    int progressive;         // 1 when progressive (multi-scan)
    int adobe_marker;        // 1 when an Adobe APP14 marker was seen (CMYK stored inverted)
    const unsigned char *exif;   // payload of the first APP1 "Exif\0\0" marker, or NULL
    unsigned int exif_length;    // valid until i2v_jpeg_close
} i2v_jpeg_info;

typedef struct i2v_jpeg_decoder i2v_jpeg_decoder;

/// Reads the header. On failure returns NULL with *status and message set. `data` must outlive
/// the decoder. `max_scans` bounds progressive scans (a CPU-exhaustion vector), `max_memory`
/// libjpeg's working memory in bytes (0 = unlimited). Set `eoi_appended` when the caller added
/// an EOI marker the file lacked: libjpeg's bit reader prefetches past the end of complete data,
/// so without a terminating marker every EOI-less file would look truncated; with one, hitting
/// the marker while bits are still needed is the real truncation signal.
i2v_jpeg_decoder *i2v_jpeg_open(const unsigned char *data, size_t size, int max_scans, long max_memory,
                                int eoi_appended, int *status, char *message, size_t message_size);

void i2v_jpeg_get_info(const i2v_jpeg_decoder *decoder, i2v_jpeg_info *info);

/// The output size when decoding with DCT scaling 1/`scale_denom` (1, 2, 4 or 8).
void i2v_jpeg_scaled_size(i2v_jpeg_decoder *decoder, int scale_denom, int *width, int *height);

/// Decodes the whole image as 8-bit RGB into `rgb` (`width * height * 3` bytes of the scaled size).
/// Grey is expanded, CMYK/YCCK converted (inverted CMYK when the Adobe marker says so).
int i2v_jpeg_read_rgb(i2v_jpeg_decoder *decoder, int scale_denom, unsigned char *rgb, size_t rgb_size,
                      char *message, size_t message_size);

void i2v_jpeg_close(i2v_jpeg_decoder *decoder);

/// Compresses interleaved 8-bit pixels. `components` 3 (RGB) or 4 (CMYK as stored, i.e. already
/// inverted when `adobe_marker` is 1); `jpeg_color_space` I2V_JPEG_CS_YCBCR for RGB input,
/// I2V_JPEG_CS_CMYK or I2V_JPEG_CS_YCCK for CMYK input. `app1`, when not NULL, is written as an
/// APP1 marker payload (e.g. "Exif\0\0" + TIFF). The result is malloc'ed; free with i2v_jpeg_free.
int i2v_jpeg_encode(const unsigned char *pixels, int width, int height, int components,
                    int jpeg_color_space, int adobe_marker, int quality, int progressive,
                    const unsigned char *app1, unsigned int app1_length,
                    unsigned char **out, unsigned long *out_size, char *message, size_t message_size);

void i2v_jpeg_free(unsigned char *buffer);

#ifdef __cplusplus
}
#endif
#endif
