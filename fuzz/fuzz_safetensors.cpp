// safetensors decode (safetensors.h): the strict checks, then every F32 tensor's values.
#include "ae/safetensors.h"
#include "fuzz.h"

AE_FUZZ_TARGET({
    const ae::SafetensorsFile f = ae::safetensors_decode(data, size, "fuzz.safetensors");
    for (const ae::SafetensorsTensor& t : f.tensors) {
        if (t.end > f.data.size() || t.begin > t.end) __builtin_trap();
        if (t.dtype == "F32") (void)ae::safetensors_f32(f, t, "fuzz.safetensors");
    }
})
