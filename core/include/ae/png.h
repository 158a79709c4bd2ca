// PNG output for report images (native builds only; the implementation is png_file.cpp).
// Encoding: stb_image_write (Sean Barrett, public domain), 8-bit RGB, no ancillary chunks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ae/plot.h"

namespace ae {

// The PNG file bytes for `img`. Throws ae::Error if img is empty or rgb.size() != width*height*3.
std::vector<uint8_t> png_encode(const Image& img);

// Encodes `img` and saves it with write_file_atomic (temporary file, fsync, rename): the target is either
// left as it was or replaced by the complete PNG. Throws ae::Error naming the path and the OS reason.
void write_png(const std::string& path, const Image& img);

}  // namespace ae
