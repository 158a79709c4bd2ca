// Latent traversals and latent histograms: what each latent variable does and how it is distributed. ONE
// definition for `ae traverse`, the app's "Traversals" tab and the page's traversal view.
//
// Traversal (Higgins et al., "beta-VAE: Learning Basic Visual Concepts with a Constrained Variational
// Framework", ICLR 2017, fig. 1-2): start from the code z of one image; for each shown latent dimension d,
// decode z with z_d replaced by `steps` values over d's range, the other dimensions fixed at z. One row per
// dimension, left to right from low to high.
//   dimensions  all when latent <= max_dims; otherwise the max_dims dimensions with the largest variance of
//               the codes (for a VAE with posterior collapse these are its active units), in descending
//               order of variance; ties by the lower index.
//   range       per dimension [lo, hi] from quantiles q_lo < q_hi (default 1%..99%): VAE, the prior N(0, 1):
//               [Phi^-1(q_lo), Phi^-1(q_hi)] (about +-2.33); otherwise the codes' nearest-rank quantiles
//               (latent.h code_quantile_range). Values linear from lo to hi (latent.h grid_axis).
//   codes       as manifold.h: codes.h dataset_codes(model, test), the first kAnalysisCodes test images.
//
// Histograms (the lecture material's "hist of the values of the 20 Z's"): for each latent dimension, the
// counts of the codes (mu for a VAE) in `bins` equal bins over that dimension's [min, max] (a degenerate
// dimension gets [v - 0.5, v + 0.5]), with its mean and standard deviation (divided by n). For a VAE the
// hosts draw the prior's density N(0, 1) over it; a dimension whose codes all sit near 0 is an inactive unit.
#pragma once

#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/eigen.h"
#include "ae/thread_pool.h"

namespace ae {

struct TraversalOptions {
    int steps = 9;                 // values per dimension, 2..64
    int max_dims = 10;             // rows shown, 1..256
    double q_lo = 0.01, q_hi = 0.99;  // 0 < q_lo < q_hi < 1
};

struct Traversal {
    int steps = 0;
    std::vector<int> dims;         // the latent dimension of each row (0-based)
    std::vector<double> lo, hi;    // each row's range
    std::string range_source;      // "prior quantiles" | "code quantiles"
    Vector base;                   // [latent] the image's code (mu for a VAE)
    Matrix codes;                  // [latent, rows * steps], row r step s in column r * steps + s
    Matrix images;                 // [D, rows * steps] decode(codes): render_image_grid(..., grid_cols = steps)
};

// The rows' dimensions for codes [k, n] (see above). Throws ae::Error for max_dims < 1 or empty codes.
std::vector<int> traversal_dims(const Matrix& codes, int max_dims);

// Codes of a traversal of `base` [k] over dims with ranges lo/hi (same sizes): [k, dims.size() * steps].
// Throws ae::Error for steps < 2, a dimension outside [0, k), mismatched sizes or lo >= hi.
Matrix traversal_codes(const Vector& base, const std::vector<int>& dims, const std::vector<double>& lo,
                       const std::vector<double>& hi, int steps);

// x: [D] one image; codes: [latent, n >= 1] the reference codes (ranges and dimension choice). Throws
// ae::Error for bad options, an image of the wrong size or codes of the wrong latent size.
Traversal latent_traversal(const Autoencoder& model, const Vector& x, const Matrix& codes,
                           const TraversalOptions& o = {}, ThreadPool* pool = nullptr);

struct LatentHistogram {
    double lo = 0, hi = 0;         // the bins cover [lo, hi]; bin b is [lo + b w, lo + (b + 1) w), the last closed
    std::vector<int> counts;       // [bins]
    double mean = 0, sd = 0;
};

// One histogram per latent dimension of codes [k, n >= 1]. Throws ae::Error for bins outside 1..1000 or
// empty codes.
std::vector<LatentHistogram> latent_histograms(const Matrix& codes, int bins = 30);

}  // namespace ae
