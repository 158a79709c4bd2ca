// Model-file load (model_file.h): safetensors decode, the config in the metadata, the tensors against the
// config's model, the optimizer state; then the model is built and run on one image.
#include "ae/dense.h"  // first (TOOLCHAIN.md)

#include "ae/autoencoder.h"
#include "ae/model_file.h"
#include "fuzz.h"

AE_FUZZ_TARGET({
    const ae::ModelFile f = ae::model_file_decode(data, size, "fuzz.safetensors");
    ae::Autoencoder m = ae::model_file_build(f, "fuzz.safetensors");
    ae::Optimizer opt(f.config.train.optimizer);
    (void)ae::model_file_restore_optimizer(f, opt);
    const ae::Matrix x = ae::Matrix::Constant(m.input_dim(), 1, 0.5f);
    (void)m.reconstruct(x);
})
