// Crash-safe file saving (native builds only; the implementation is atomic_file_file.cpp).
//
// The bytes go to a temporary file next to the target ("<path>.tmp-<pid>-<counter>"), are flushed to
// disk with fsync, and the temporary is renamed over the target. POSIX rename() is atomic within one
// file system, so a reader sees either the old file or the complete new one, never a torn write, even if
// the process dies midway. Safe to call from several threads at once (each call has its own temporary).
#pragma once

#include <cstddef>
#include <string>

namespace ae {

// Replaces (or creates) `path` with exactly `size` bytes from `data`. On any failure the temporary file
// is removed, the target is left untouched, and ae::Error is thrown naming the path and the OS reason.
void write_file_atomic(const std::string& path, const void* data, size_t size);

}  // namespace ae
