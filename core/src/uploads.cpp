#include "ae/uploads.h"

#include "ae/error.h"
#include "ae/idx.h"
#include "ae/memory.h"

namespace ae {

namespace {

std::string size_text(uint64_t bytes) { return format_bytes(static_cast<size_t>(bytes)); }

std::string native_hint() {
    return "ae train and the desktop app read IDX files of up to " + size_text(kIdxMaxBytes);
}

}  // namespace

void check_page_file(const std::string& name, uint64_t bytes) {
    if (bytes > kPageFileMaxBytes)
        throw Error(name + " is " + size_text(bytes) + "; the page reads files of at most " +
                    size_text(kPageFileMaxBytes) + " (ae and the desktop app read larger ones)");
}

void check_page_gunzip(const std::string& name, uint64_t bytes) {
    if (bytes > kPageFileMaxBytes)
        throw Error(name + " expands to more than " + size_text(kPageFileMaxBytes) +
                    " when decompressed; the page reads at most " + size_text(kPageFileMaxBytes) + " per file (" +
                    native_hint() + ")");
}

void check_page_data(const std::string& name, uint64_t bytes) {
    if (bytes > kPageDataMaxBytes)
        throw Error(name + ": the data set's files hold " + size_text(bytes) +
                    " after decompression; the page holds data sets of at most " + size_text(kPageDataMaxBytes) +
                    " (" + native_hint() + ")");
}

void check_page_png_folder(const std::string& name, uint64_t png_files, const std::string& largest_name,
                           uint64_t largest_bytes) {
    if (png_files > static_cast<uint64_t>(kPageMaxPngFiles))
        throw Error(name + " holds " + std::to_string(png_files) + " PNG files; the page reads at most " +
                    std::to_string(kPageMaxPngFiles) + " (write them into IDX files for larger sets)");
    if (largest_bytes > kPagePngMaxBytes)
        throw Error(largest_name + " is " + size_text(largest_bytes) + "; the page reads PNG files of at most " +
                    size_text(kPagePngMaxBytes) + " (every image is scaled to 28x28)");
}

}  // namespace ae
