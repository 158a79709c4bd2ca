#include "ae/arithmetic.h"

#include <string>

#include "ae/error.h"

namespace ae {

namespace {

void check_image(const Autoencoder& model, const Vector& x, const char* what) {
    if (x.size() != model.input_dim())
        throw Error(std::string(what) + ": " + std::to_string(x.size()) + " values, the model takes " +
                    std::to_string(model.input_dim()));
}

}  // namespace

ClassMeans class_mean_codes(const Matrix& codes, const std::vector<uint8_t>& labels, int num_classes) {
    if (num_classes < 1) throw Error("class_mean_codes: num_classes must be >= 1");
    if (codes.cols() == 0) throw Error("class_mean_codes: no codes");
    if (static_cast<size_t>(codes.cols()) != labels.size())
        throw Error("class_mean_codes: " + std::to_string(labels.size()) + " labels for " +
                    std::to_string(codes.cols()) + " codes");
    ClassMeans m;
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(codes.rows(), num_classes);
    m.counts.assign(static_cast<size_t>(num_classes), 0);
    for (Eigen::Index j = 0; j < codes.cols(); ++j) {
        const int c = labels[static_cast<size_t>(j)];
        if (c >= num_classes)
            throw Error("class_mean_codes: label " + std::to_string(c) + " of code " + std::to_string(j) +
                        " is not one of the " + std::to_string(num_classes) + " classes");
        sum.col(c) += codes.col(j).cast<double>();
        ++m.counts[static_cast<size_t>(c)];
    }
    m.means = Matrix::Zero(codes.rows(), num_classes);
    for (int c = 0; c < num_classes; ++c)
        if (m.counts[static_cast<size_t>(c)] > 0) m.means.col(c) = (sum.col(c) / m.counts[static_cast<size_t>(c)]).cast<float>();
    return m;
}

Vector attribute_vector(const ClassMeans& m, int from, int to) {
    const int n = static_cast<int>(m.counts.size());
    for (int c : {from, to}) {
        if (c < 0 || c >= n)
            throw Error("attribute_vector: class " + std::to_string(c) + " is not one of the " + std::to_string(n) +
                        " classes");
        if (m.counts[static_cast<size_t>(c)] == 0)
            throw Error("attribute_vector: class " + std::to_string(c) + " has no codes to average");
    }
    return m.means.col(to) - m.means.col(from);
}

ArithmeticStrip attribute_strip(const Autoencoder& model, const Vector& x, const Vector& direction,
                                const std::vector<double>& strengths) {
    check_image(model, x, "attribute_strip: image");
    if (direction.size() != model.latent_dim())
        throw Error("attribute_strip: direction has " + std::to_string(direction.size()) + " entries, the latent " +
                    std::to_string(model.latent_dim()));
    if (strengths.empty()) throw Error("attribute_strip: no strengths");
    const Vector z = model.encode(x).col(0);
    ArithmeticStrip s;
    s.strengths = strengths;
    s.codes.resize(z.size(), static_cast<Eigen::Index>(strengths.size()));
    for (size_t i = 0; i < strengths.size(); ++i)
        s.codes.col(static_cast<Eigen::Index>(i)) = z + static_cast<float>(strengths[i]) * direction;
    s.images = model.decode(s.codes);
    return s;
}

Analogy latent_analogy(const Autoencoder& model, const Vector& a, const Vector& b, const Vector& c) {
    check_image(model, a, "latent_analogy: a");
    check_image(model, b, "latent_analogy: b");
    check_image(model, c, "latent_analogy: c");
    Matrix x(a.size(), 3);
    x << a, b, c;
    const Matrix z = model.encode(x);  // [latent, 3]
    Analogy r;
    r.code = z.col(0) - z.col(1) + z.col(2);
    Matrix all(z.rows(), 4);
    all << z, r.code;
    r.images = model.decode(all);
    return r;
}

std::vector<double> strength_range(double lo, double hi, int n) {
    if (n < 2) throw Error("strength_range: n = " + std::to_string(n) + ", needs at least 2 strengths");
    if (!(lo < hi)) throw Error("strength_range: lo must be below hi");
    std::vector<double> s(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) s[static_cast<size_t>(i)] = lo + (hi - lo) * i / (n - 1);
    return s;
}

}  // namespace ae
