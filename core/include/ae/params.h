// Flat parameter store: every parameter lives in one contiguous float buffer and every gradient in a
// second buffer of the same layout, so an optimizer is one loop and a snapshot or save is one copy.
// (The layout follows llm.c's single parameter block.)
//
// Use: register tensors with add() while building a model, then finalize() once; afterwards value()
// and grad() return stable pointers. Tensor names follow PyTorch state_dict conventions
// ("encoder.0.weight"), shapes are PyTorch's ([out, in] row-major for a Dense weight).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ae {

struct ParamTensor {
    std::string name;
    std::vector<int> shape;  // e.g. {out, in}
    size_t offset = 0;       // in floats, into values()/grads()
    size_t size = 0;         // product of shape
};

class ParamStore {
public:
    // Registers a tensor; returns its index. Offsets are padded to 16 floats (64 bytes) for SIMD.
    // Throws ae::Error after finalize().
    int add(const std::string& name, std::vector<int> shape);
    // Allocates both buffers, zero-filled.
    void finalize();
    bool finalized() const { return finalized_; }

    float* value(int tensor) { return values_.data() + tensors_[tensor].offset; }
    float* grad(int tensor) { return grads_.data() + tensors_[tensor].offset; }
    const float* value(int tensor) const { return values_.data() + tensors_[tensor].offset; }

    std::vector<float>& values() { return values_; }
    std::vector<float>& grads() { return grads_; }
    const std::vector<float>& values() const { return values_; }
    const std::vector<ParamTensor>& tensors() const { return tensors_; }
    // Number of trainable scalars (without padding).
    size_t count() const;
    void zero_grad();

private:
    std::vector<ParamTensor> tensors_;
    std::vector<float> values_, grads_;
    size_t total_ = 0;
    bool finalized_ = false;
};

}  // namespace ae
