#include "ae/png.h"

#include <climits>

#include "ae/atomic_file.h"
#include "ae/error.h"

// The one translation unit that compiles stb_image_write; STATIC keeps its symbols private so another
// library that bundles stb cannot clash with it at link time, NO_STDIO leaves the file I/O to us.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>

namespace ae {

namespace {

void append_bytes(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    const uint8_t* bytes = static_cast<const uint8_t*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

std::vector<uint8_t> png_encode(const Image& img) {
    if (img.width <= 0 || img.height <= 0 || img.width > INT_MAX / 3 ||
        img.rgb.size() != static_cast<size_t>(img.width) * static_cast<size_t>(img.height) * 3) {
        throw Error("png_encode: invalid image " + std::to_string(img.width) + "x" +
                    std::to_string(img.height) + " with " + std::to_string(img.rgb.size()) +
                    " bytes, expected width*height*3");
    }
    std::vector<uint8_t> bytes;
    const int stride = img.width * 3;
    if (!stbi_write_png_to_func(append_bytes, &bytes, img.width, img.height, 3, img.rgb.data(), stride)) {
        throw Error("png_encode: stb_image_write failed for a " + std::to_string(img.width) + "x" +
                    std::to_string(img.height) + " image");
    }
    return bytes;
}

void write_png(const std::string& path, const Image& img) {
    std::vector<uint8_t> bytes;
    try {
        bytes = png_encode(img);
    } catch (const Error& e) {
        throw Error("cannot write '" + path + "': " + e.what());
    }
    write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace ae
