// Bounds on the files a user gives the web page (issue 12): the Worker (web/site/worker.js) reads each
// picked file into a JavaScript buffer, gunzips it there, and copies it into the WebAssembly heap, which is
// 32-bit (at most 4 GB) and also holds the built-in data sets and the model (memory.h, kPageMemoryLimit).
// Without these bounds, a 3 GB file or a gzip bomb ended the tab ("Aw, snap") and lost the trained model.
// The desktop app and `ae` read files with the native limits of idx.h (2 GiB of IDX data, 2 GiB after
// gunzip) and model_file.h.
//
// Every check throws ae::Error naming the file (or folder) and both sizes, e.g.
//   "train-images.idx.gz expands to more than 512 MB when decompressed; the page reads at most 512 MB per file
//    (ae train and the desktop app read IDX files of up to 2 GB)"
#pragma once

#include <cstdint>
#include <string>

namespace ae {

constexpr uint64_t kPageFileMaxBytes = uint64_t{512} << 20;  // one picked file, as stored and after gunzip
constexpr uint64_t kPageDataMaxBytes = uint64_t{1} << 30;    // all files of one data set, after gunzip
constexpr int kPageMaxPngFiles = 100000;                     // PNG files in one picked folder
constexpr uint64_t kPagePngMaxBytes = uint64_t{32} << 20;    // one PNG file

// `name` is `bytes` long as stored (File.size, before reading it).
void check_page_file(const std::string& name, uint64_t bytes);
// `name`, a gzip file, has produced `bytes` so far while being decompressed (called as the stream runs:
// it throws as soon as `bytes` exceeds kPageFileMaxBytes, before the rest is read).
void check_page_gunzip(const std::string& name, uint64_t bytes);
// The files of one data set (`name`: the first file's name) add up to `bytes` after decompression.
void check_page_data(const std::string& name, uint64_t bytes);
// A folder (`name`) with `png_files` PNG files, the largest `largest_bytes` long (`largest_name`).
void check_page_png_folder(const std::string& name, uint64_t png_files, const std::string& largest_name,
                           uint64_t largest_bytes);

}  // namespace ae
