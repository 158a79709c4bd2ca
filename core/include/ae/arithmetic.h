// Latent arithmetic: moving a code along an attribute vector, and analogies a - b + c.
//
//   class mean      m_c = (1 / n_c) sum_{i: y_i = c} z_i                      over the given codes
//   attribute       v(from -> to) = m_to - m_from        (e.g. mean(sneaker) - mean(sandal); D. P. Kingma &
//                   M. Welling, "An Introduction to Variational Autoencoders", 2019, sec. 2.9.3; T. White,
//                   "Sampling Generative Networks", arXiv:1609.04468, 2016, "attribute vectors")
//   attribute strip decode(z(x) + s v) for each strength s (s = 0: x's own reconstruction)
//   analogy         decode(z(a) - z(b) + z(c))   ("a is to b as ? is to c": T. Mikolov et al. 2013 for
//                   words; A. Radford et al., DCGAN, ICLR 2016, sec. 6.3 for images)
//
// Codes are the model's encode() (mu for a VAE). Shapes follow the rest of the core: one column per item,
// images [D, n] in [0, 1], codes [latent, n].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ae/autoencoder.h"
#include "ae/eigen.h"

namespace ae {

struct ClassMeans {
    Matrix means;             // [latent, C] the mean code of each class (0 for a class without codes)
    std::vector<int> counts;  // [C] codes per class
};

// The mean code of each class 0..num_classes-1. Throws ae::Error when labels.size() != codes.cols(), a label
// is >= num_classes, num_classes < 1 or there are no codes.
ClassMeans class_mean_codes(const Matrix& codes, const std::vector<uint8_t>& labels, int num_classes);

// m_to - m_from [latent]. Throws ae::Error naming the class when from or to is outside the classes or has no
// codes.
Vector attribute_vector(const ClassMeans& m, int from, int to);

struct ArithmeticStrip {
    std::vector<double> strengths;  // [n]
    Matrix codes;                   // [latent, n] z(x) + s v
    Matrix images;                  // [D, n] their decodings
};

// decode(z(x) + s * direction) for each s of strengths. x [D], direction [latent]. Throws ae::Error for a
// direction of another size than the latent, an x of another size than the input, or no strengths.
ArithmeticStrip attribute_strip(const Autoencoder& model, const Vector& x, const Vector& direction,
                                const std::vector<double>& strengths);

struct Analogy {
    Vector code;    // [latent] z(a) - z(b) + z(c)
    Matrix images;  // [D, 4] reconstructions of a, b, c, then the decoding of code
};

// decode(z(a) - z(b) + z(c)); a, b, c [D]. Throws ae::Error for images of another size than the input.
Analogy latent_analogy(const Autoencoder& model, const Vector& a, const Vector& b, const Vector& c);

// n strengths evenly from lo to hi (n >= 2), e.g. -1 .. 2 in 7 steps. Throws ae::Error for n < 2 or lo >= hi.
std::vector<double> strength_range(double lo, double hi, int n);

}  // namespace ae
