// gzip IDX (idx_read on a ".gz" path): the input is written to a temporary file and read back through
// zlib, with the decompressed size bounded by the IDX header's promise.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "ae/idx.h"
#include "fuzz.h"

namespace {
const std::string& path() {
    static const std::string p = [] {
        const char* dir = std::getenv("TMPDIR");
        return std::string(dir && *dir ? dir : "/tmp") + "/ae_fuzz_" + std::to_string(getpid()) + ".idx.gz";
    }();
    return p;
}
}  // namespace

AE_FUZZ_TARGET({
    std::FILE* f = std::fopen(path().c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    const ae::IdxArray a = ae::idx_read(path());
    if (a.data.size() > ae::kIdxMaxBytes) __builtin_trap();
})
