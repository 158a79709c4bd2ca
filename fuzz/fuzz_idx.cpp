// IDX from a buffer (idx.h): both overloads, and a data set from the array when it has image shape.
#include "ae/dataset.h"
#include "ae/idx.h"
#include "fuzz.h"

AE_FUZZ_TARGET({
    const ae::IdxArray a = ae::idx_parse(data, size, "fuzz.idx");
    ae::IdxArray b = ae::idx_parse(std::vector<uint8_t>(data, data + size), "fuzz.idx");
    if (a.dims != b.dims || a.data != b.data) __builtin_trap();
    if (a.dims.size() == 3) {
        ae::IdxArray labels;
        labels.dims = {a.dims[0]};
        labels.data.assign(a.dims[0], 0);
        const ae::Dataset d = ae::dataset_from_idx(a, labels, {"x"}, "fuzz.idx", "labels");
        if (static_cast<size_t>(d.count) * d.dim() != d.pixels.size()) __builtin_trap();
    }
})
