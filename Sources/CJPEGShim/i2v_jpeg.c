// See include/i2v_jpeg.h for why this layer exists (setjmp-based recovery from libjpeg errors).
#include "i2v_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct i2v_error_mgr {
    struct jpeg_error_mgr pub;   // must stay first: libjpeg hands us &pub
    jmp_buf jump;
    int status;                  // I2V_JPEG_* to report after the longjmp
    int max_scans;
    int eoi_appended;            // caller appended a missing EOI: hitting it early means truncation
    char message[JMSG_LENGTH_MAX];
} i2v_error_mgr;

struct i2v_jpeg_decoder {
    struct jpeg_decompress_struct cinfo;
    i2v_error_mgr err;
    struct jpeg_progress_mgr progress;
    int started;
    unsigned char *row4;         // CMYK scanline; freed on every exit path, including longjmp
};

static void copy_message(const char *from, char *to, size_t size) {
    if (to == NULL || size == 0) return;
    snprintf(to, size, "%s", from);
}

static void on_error_exit(j_common_ptr cinfo) {
    i2v_error_mgr *err = (i2v_error_mgr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    int code = cinfo->err->msg_code;
    if (code == JERR_OUT_OF_MEMORY || code == JERR_NO_BACKING_STORE) {
        err->status = I2V_JPEG_OUT_OF_MEMORY;
    } else if (err->status == I2V_JPEG_OK) {
        err->status = I2V_JPEG_ERROR;
    }
    longjmp(err->jump, 1);
}

// Warnings are silent, except running out of data: libjpeg would pad the missing part with grey
// and carry on; we stop instead, because a truncated upload is an error to report. When the
// caller appended a missing EOI (see i2v_jpeg_open), reaching that marker inside entropy-coded
// data is the same truncation.
static void on_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    cinfo->err->num_warnings++;
    i2v_error_mgr *e = (i2v_error_mgr *)cinfo->err;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF || (e->eoi_appended && cinfo->err->msg_code == JWRN_HIT_MARKER)) {
        i2v_error_mgr *err = (i2v_error_mgr *)cinfo->err;
        (*cinfo->err->format_message)(cinfo, err->message);
        err->status = I2V_JPEG_TRUNCATED;
        longjmp(err->jump, 1);
    }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

// A progressive file may hold thousands of tiny scans, each costing a full pass over the
// coefficients; bound them like djpeg -maxscans does.
static void on_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    i2v_error_mgr *err = (i2v_error_mgr *)cinfo->err;
    if (err->max_scans > 0 && d->input_scan_number > err->max_scans) {
        snprintf(err->message, sizeof err->message, "progressive JPEG has more than %d scans", err->max_scans);
        err->status = I2V_JPEG_TOO_MANY_SCANS;
        longjmp(err->jump, 1);
    }
}

static void init_error_mgr(i2v_error_mgr *err) {
    jpeg_std_error(&err->pub);
    err->pub.error_exit = on_error_exit;
    err->pub.emit_message = on_emit_message;
    err->pub.output_message = on_output_message;
    err->status = I2V_JPEG_OK;
    err->message[0] = 0;
}

i2v_jpeg_decoder *i2v_jpeg_open(const unsigned char *data, size_t size, int max_scans, long max_memory,
                                int eoi_appended, int *status, char *message, size_t message_size) {
    if (data == NULL || size == 0) {
        *status = I2V_JPEG_BAD_ARGUMENT;
        copy_message("empty input", message, message_size);
        return NULL;
    }
    i2v_jpeg_decoder *dec = (i2v_jpeg_decoder *)calloc(1, sizeof *dec);
    if (dec == NULL) {
        *status = I2V_JPEG_OUT_OF_MEMORY;
        copy_message("out of memory", message, message_size);
        return NULL;
    }
    init_error_mgr(&dec->err);
    dec->err.max_scans = max_scans;
    dec->err.eoi_appended = eoi_appended;
    dec->cinfo.err = &dec->err.pub;
    if (setjmp(dec->err.jump)) {
        *status = dec->err.status;
        copy_message(dec->err.message, message, message_size);
        jpeg_destroy_decompress(&dec->cinfo);
        free(dec);
        return NULL;
    }
    jpeg_create_decompress(&dec->cinfo);
    if (max_memory > 0) dec->cinfo.mem->max_memory_to_use = max_memory;
    dec->progress.progress_monitor = on_progress;
    dec->cinfo.progress = &dec->progress;
    jpeg_mem_src(&dec->cinfo, data, (unsigned long)size);
    jpeg_save_markers(&dec->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&dec->cinfo, TRUE);
    *status = I2V_JPEG_OK;
    return dec;
}

void i2v_jpeg_get_info(const i2v_jpeg_decoder *dec, i2v_jpeg_info *info) {
    const struct jpeg_decompress_struct *c = &dec->cinfo;
    memset(info, 0, sizeof *info);
    info->width = (int)c->image_width;
    info->height = (int)c->image_height;
    info->components = c->num_components;
    switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE: info->color_space = I2V_JPEG_CS_GRAY; break;
    case JCS_RGB: info->color_space = I2V_JPEG_CS_RGB; break;
    case JCS_YCbCr: info->color_space = I2V_JPEG_CS_YCBCR; break;
    case JCS_CMYK: info->color_space = I2V_JPEG_CS_CMYK; break;
    case JCS_YCCK: info->color_space = I2V_JPEG_CS_YCCK; break;
    default: info->color_space = I2V_JPEG_CS_OTHER; break;
    }
    info->progressive = c->progressive_mode ? 1 : 0;
    info->adobe_marker = c->saw_Adobe_marker ? 1 : 0;
    for (jpeg_saved_marker_ptr m = c->marker_list; m != NULL; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            info->exif = m->data + 6;
            info->exif_length = m->data_length - 6;
            break;
        }
    }
}

static void configure_output(i2v_jpeg_decoder *dec, int scale_denom) {
    struct jpeg_decompress_struct *c = &dec->cinfo;
    c->scale_num = 1;
    c->scale_denom = (unsigned int)((scale_denom == 2 || scale_denom == 4 || scale_denom == 8) ? scale_denom : 1);
    if (c->jpeg_color_space == JCS_CMYK || c->jpeg_color_space == JCS_YCCK) {
        c->out_color_space = JCS_CMYK;
    } else {
        c->out_color_space = JCS_EXT_RGB;
    }
}

void i2v_jpeg_scaled_size(i2v_jpeg_decoder *dec, int scale_denom, int *width, int *height) {
    // jpeg_calc_output_dimensions only fails on API misuse, but it can still reach error_exit.
    if (setjmp(dec->err.jump)) {
        *width = 0;
        *height = 0;
        return;
    }
    configure_output(dec, scale_denom);
    jpeg_calc_output_dimensions(&dec->cinfo);
    *width = (int)dec->cinfo.output_width;
    *height = (int)dec->cinfo.output_height;
}

static inline unsigned char mul255(unsigned a, unsigned b) {
    unsigned t = a * b + 128;
    return (unsigned char)((t + (t >> 8)) >> 8);
}

int i2v_jpeg_read_rgb(i2v_jpeg_decoder *dec, int scale_denom, unsigned char *rgb, size_t rgb_size,
                      char *message, size_t message_size) {
    if (dec->started) {
        copy_message("JPEG decoder already used", message, message_size);
        return I2V_JPEG_BAD_ARGUMENT;
    }
    dec->started = 1;
    struct jpeg_decompress_struct *c = &dec->cinfo;
    // State that must survive a longjmp lives in the decoder, not in locals.
    if (setjmp(dec->err.jump)) {
        free(dec->row4);
        dec->row4 = NULL;
        copy_message(dec->err.message, message, message_size);
        jpeg_abort_decompress(c);
        return dec->err.status;
    }
    configure_output(dec, scale_denom);
    jpeg_start_decompress(c);
    size_t w = c->output_width, h = c->output_height;
    if (w * h * 3 > rgb_size) {
        snprintf(dec->err.message, sizeof dec->err.message, "output buffer too small for %zux%zu", w, h);
        dec->err.status = I2V_JPEG_BAD_ARGUMENT;
        longjmp(dec->err.jump, 1);
    }
    int cmyk = c->out_color_space == JCS_CMYK;
    int inverted = c->saw_Adobe_marker;
    if (cmyk) {
        dec->row4 = (unsigned char *)malloc(w * 4);
        if (dec->row4 == NULL) ERREXIT(c, JERR_OUT_OF_MEMORY);
    }
    while (c->output_scanline < c->output_height) {
        unsigned char *dst = rgb + (size_t)c->output_scanline * w * 3;
        unsigned char *row4 = dec->row4;
        JSAMPROW row = cmyk ? row4 : dst;
        if (jpeg_read_scanlines(c, &row, 1) != 1) {
            snprintf(dec->err.message, sizeof dec->err.message, "JPEG decoder made no progress");
            dec->err.status = I2V_JPEG_ERROR;
            longjmp(dec->err.jump, 1);
        }
        if (cmyk) {
            // Adobe (Photoshop) files store CMYK inverted: 255 means no ink.
            for (size_t x = 0; x < w; x++) {
                unsigned cc = row4[4 * x], m = row4[4 * x + 1], y = row4[4 * x + 2], k = row4[4 * x + 3];
                if (!inverted) { cc = 255 - cc; m = 255 - m; y = 255 - y; k = 255 - k; }
                dst[3 * x] = mul255(cc, k);
                dst[3 * x + 1] = mul255(m, k);
                dst[3 * x + 2] = mul255(y, k);
            }
        }
    }
    free(dec->row4);
    dec->row4 = NULL;
    // Not jpeg_finish_decompress: every pixel is out, and a missing EOI after complete image
    // data (common in the wild) is not worth rejecting a photo for.
    jpeg_abort_decompress(c);
    return I2V_JPEG_OK;
}

void i2v_jpeg_close(i2v_jpeg_decoder *dec) {
    if (dec == NULL) return;
    jpeg_destroy_decompress(&dec->cinfo);
    free(dec);
}

typedef struct i2v_jpeg_encoder {
    struct jpeg_compress_struct cinfo;
    i2v_error_mgr err;
    unsigned char *buffer;
    unsigned long size;
} i2v_jpeg_encoder;

int i2v_jpeg_encode(const unsigned char *pixels, int width, int height, int components,
                    int jpeg_color_space, int adobe_marker, int quality, int progressive,
                    const unsigned char *app1, unsigned int app1_length,
                    unsigned char **out, unsigned long *out_size, char *message, size_t message_size) {
    *out = NULL;
    *out_size = 0;
    if (pixels == NULL || width <= 0 || height <= 0 || width > 65500 || height > 65500 ||
        (components != 3 && components != 4)) {
        copy_message("invalid JPEG encoder arguments", message, message_size);
        return I2V_JPEG_BAD_ARGUMENT;
    }
    i2v_jpeg_encoder *enc = (i2v_jpeg_encoder *)calloc(1, sizeof *enc);
    if (enc == NULL) {
        copy_message("out of memory", message, message_size);
        return I2V_JPEG_OUT_OF_MEMORY;
    }
    init_error_mgr(&enc->err);
    enc->cinfo.err = &enc->err.pub;
    if (setjmp(enc->err.jump)) {
        int status = enc->err.status;
        copy_message(enc->err.message, message, message_size);
        jpeg_destroy_compress(&enc->cinfo);
        free(enc->buffer);
        free(enc);
        return status;
    }
    jpeg_create_compress(&enc->cinfo);
    jpeg_mem_dest(&enc->cinfo, &enc->buffer, &enc->size);
    enc->cinfo.image_width = (JDIMENSION)width;
    enc->cinfo.image_height = (JDIMENSION)height;
    enc->cinfo.input_components = components;
    enc->cinfo.in_color_space = components == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&enc->cinfo);
    if (components == 4) {
        jpeg_set_colorspace(&enc->cinfo, jpeg_color_space == I2V_JPEG_CS_YCCK ? JCS_YCCK : JCS_CMYK);
        enc->cinfo.write_Adobe_marker = adobe_marker ? TRUE : FALSE;
    }
    jpeg_set_quality(&enc->cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    enc->cinfo.optimize_coding = TRUE;
    if (progressive) jpeg_simple_progression(&enc->cinfo);
    jpeg_start_compress(&enc->cinfo, TRUE);
    if (app1 != NULL && app1_length > 0 && app1_length <= 65533) {
        jpeg_write_marker(&enc->cinfo, JPEG_APP0 + 1, app1, app1_length);
    }
    size_t stride = (size_t)width * (size_t)components;
    while (enc->cinfo.next_scanline < enc->cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)enc->cinfo.next_scanline * stride);
        jpeg_write_scanlines(&enc->cinfo, &row, 1);
    }
    jpeg_finish_compress(&enc->cinfo);
    *out = enc->buffer;
    *out_size = enc->size;
    jpeg_destroy_compress(&enc->cinfo);
    free(enc);
    return I2V_JPEG_OK;
}

void i2v_jpeg_free(unsigned char *buffer) { free(buffer); }
