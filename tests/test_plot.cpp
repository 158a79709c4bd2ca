#include "ae/plot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "ae/atomic_file.h"
#include "ae/error.h"
#include "ae/png.h"
#include "ae/rng.h"
#include "test_util.h"

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#include <stb/stb_image.h>

namespace fs = std::filesystem;

namespace {

using test_util::TempDir;
using Rgb = std::array<uint8_t, 3>;

Rgb pixel(const ae::Image& img, int x, int y) {
    const uint8_t* p = img.rgb.data() + (static_cast<size_t>(y) * img.width + x) * 3;
    return {p[0], p[1], p[2]};
}

bool near_color(Rgb a, Rgb b, int tolerance) {
    for (int i = 0; i < 3; ++i) {
        if (std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i])) > tolerance) return false;
    }
    return true;
}

bool is_dark(Rgb p) { return p[0] < 100 && p[1] < 100 && p[2] < 100; }

void expect_valid_image(const ae::Image& img, int width, int height) {
    EXPECT_EQ(img.width, width);
    EXPECT_EQ(img.height, height);
    EXPECT_EQ(img.rgb.size(), static_cast<size_t>(width) * height * 3);
}

// Three tight clusters: class 0 at (0, 0), class 1 at (10, 0), class 2 at (5, 10).
void three_clusters(ae::Matrix* points, std::vector<uint8_t>* labels) {
    const double centres[3][2] = {{0.0, 0.0}, {10.0, 0.0}, {5.0, 10.0}};
    const int per = 200;
    ae::Rng rng(42);
    points->resize(2, 3 * per);
    labels->resize(3 * per);
    for (int i = 0; i < 3 * per; ++i) {
        const int c = i % 3;
        (*points)(0, i) = static_cast<float>(centres[c][0] + 0.2 * rng.normal());
        (*points)(1, i) = static_cast<float>(centres[c][1] + 0.2 * rng.normal());
        (*labels)[i] = static_cast<uint8_t>(c);
    }
}

}  // namespace

TEST(Plot, ClassColorsAreTab10ThenDistinct) {
    EXPECT_EQ(ae::class_color(0), (Rgb{31, 119, 180}));
    EXPECT_EQ(ae::class_color(1), (Rgb{255, 127, 14}));
    EXPECT_EQ(ae::class_color(9), (Rgb{23, 190, 207}));
    for (int a = 0; a < 40; ++a) {
        for (int b = a + 1; b < 40; ++b) EXPECT_NE(ae::class_color(a), ae::class_color(b)) << a << " " << b;
    }
}

TEST(Plot, ScatterClustersLandInTheirRegions) {
    ae::Matrix points;
    std::vector<uint8_t> labels;
    three_clusters(&points, &labels);
    const std::vector<std::string> names = {"left", "right", "top"};
    const int w = 900, h = 700;
    const ae::Image img = ae::render_scatter(points, labels, names, "clusters", "z0", "z1", w, h);
    expect_valid_image(img, w, h);
    const ae::ScatterLayout layout = ae::scatter_layout(points, labels, names, "clusters", "z0", "z1", w, h);
    const ae::Rect& a = layout.axes;
    ASSERT_GT(a.x1 - a.x0, w / 2);
    ASSERT_GT(a.y1 - a.y0, h / 2);
    EXPECT_LE(layout.x_min, -0.5);
    EXPECT_GE(layout.x_max, 10.5);

    // Each class colour appears only around the pixel the documented mapping gives for its centre, and
    // the blobs sit where the data says: class 0 bottom left, class 1 bottom right, class 2 top centre.
    const double centres[3][2] = {{0.0, 0.0}, {10.0, 0.0}, {5.0, 10.0}};
    const double ax = a.x1 - 1 - a.x0, ay = a.y1 - 1 - a.y0;
    double mean_x[3], mean_y[3];
    for (int c = 0; c < 3; ++c) {
        const double ex = a.x0 + (centres[c][0] - layout.x_min) / (layout.x_max - layout.x_min) * ax;
        const double ey = a.y1 - 1 - (centres[c][1] - layout.y_min) / (layout.y_max - layout.y_min) * ay;
        const Rgb color = ae::class_color(c);
        int inside = 0, outside = 0;
        double sum_x = 0.0, sum_y = 0.0;
        for (int y = a.y0; y < a.y1; ++y) {
            for (int x = a.x0; x < a.x1; ++x) {
                if (!near_color(pixel(img, x, y), color, 24)) continue;
                sum_x += x;
                sum_y += y;
                if (std::hypot(x - ex, y - ey) < 40.0) {
                    ++inside;
                } else {
                    ++outside;
                }
            }
        }
        EXPECT_GT(inside, 40) << "class " << c;
        EXPECT_EQ(outside, 0) << "class " << c;
        mean_x[c] = (sum_x / std::max(1, inside + outside) - a.x0) / ax;  // 0 = left edge, 1 = right edge
        mean_y[c] = (sum_y / std::max(1, inside + outside) - a.y0) / ay;  // 0 = top, 1 = bottom
    }
    EXPECT_LT(mean_x[0], 0.2);
    EXPECT_GT(mean_y[0], 0.8);
    EXPECT_GT(mean_x[1], 0.8);
    EXPECT_GT(mean_y[1], 0.8);
    EXPECT_NEAR(mean_x[2], 0.5, 0.1);
    EXPECT_LT(mean_y[2], 0.2);

    // Background stays white away from the clusters and grid lines: the top-left corner of the axes.
    EXPECT_EQ(pixel(img, a.x0 + 3, a.y0 + 3), (Rgb{255, 255, 255}));
}

TEST(Plot, ScatterLegendListsEveryClass) {
    ae::Matrix points;
    std::vector<uint8_t> labels;
    three_clusters(&points, &labels);
    const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover"};
    const ae::Image img = ae::render_scatter(points, labels, names, "", "", "", 900, 700);
    const ae::ScatterLayout layout = ae::scatter_layout(points, labels, names, "", "", "", 900, 700);
    EXPECT_EQ(layout.num_classes, 3);
    const ae::Rect& g = layout.legend;
    ASSERT_GT(g.x1, g.x0);
    ASSERT_GT(g.y1, g.y0);
    EXPECT_GE(g.x0, layout.axes.x1);  // outside the axes, to the right
    EXPECT_LE(g.x1, img.width);

    int dark = 0;
    int colored[3] = {0, 0, 0};
    for (int y = g.y0; y < g.y1; ++y) {
        for (int x = g.x0; x < g.x1; ++x) {
            const Rgb p = pixel(img, x, y);
            if (is_dark(p)) ++dark;
            for (int c = 0; c < 3; ++c) colored[c] += p == ae::class_color(c);
        }
    }
    EXPECT_GT(dark, 150);  // the three names
    for (int c = 0; c < 3; ++c) EXPECT_GT(colored[c], 10) << "legend marker of class " << c;

    // The entries are stacked: the name of each class is on its own row.
    for (int c = 0; c < 3; ++c) {
        const int y0 = g.y0 + 10 + c * layout.legend_row_height;
        int row_dark = 0;
        for (int y = y0; y < y0 + layout.legend_row_height - 4; ++y) {
            for (int x = g.x0; x < g.x1; ++x) row_dark += is_dark(pixel(img, x, y));
        }
        EXPECT_GT(row_dark, 30) << "legend row " << c;
    }
}

TEST(Plot, ScatterManyClassesGetsAWiderLegendNotACrash) {
    ae::Matrix points = ae::Matrix::Random(2, 300);
    std::vector<uint8_t> labels(300);
    for (int i = 0; i < 300; ++i) labels[i] = static_cast<uint8_t>(i % 40);
    const ae::Image img = ae::render_scatter(points, labels, {"a", "b"}, "many", "x", "y", 640, 400);
    expect_valid_image(img, 640, 400);
    const ae::ScatterLayout layout =
        ae::scatter_layout(points, labels, {"a", "b"}, "many", "x", "y", 640, 400);
    EXPECT_EQ(layout.num_classes, 40);
    EXPECT_LE(layout.legend.y1, 400);
    EXPECT_GE(layout.legend.x0, layout.axes.x1);
}

TEST(Plot, ScatterSkipsNanAndInfinitePoints) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    ae::Matrix points(2, 6);
    points << 0.0f, nan, 1.0f, inf, 2.0f, -inf,  //
        0.0f, 1.0f, nan, 2.0f, 1.0f, 3.0f;
    const std::vector<uint8_t> labels = {0, 1, 1, 1, 0, 1};
    const ae::Image img = ae::render_scatter(points, labels, {"a", "b"}, "nan", "x", "y", 500, 400);
    expect_valid_image(img, 500, 400);
    const ae::ScatterLayout layout =
        ae::scatter_layout(points, labels, {"a", "b"}, "nan", "x", "y", 500, 400);
    EXPECT_TRUE(std::isfinite(layout.x_min) && std::isfinite(layout.x_max));
    EXPECT_LT(layout.x_min, 0.0);
    EXPECT_GT(layout.x_max, 2.0);
    EXPECT_LT(layout.y_max, 1.5);  // only (0,0) and (2,1) are finite

    // Class 1 has no finite point: its colour appears only in the legend.
    const ae::Rect& a = layout.axes;
    int class1 = 0;
    for (int y = a.y0; y < a.y1; ++y) {
        for (int x = a.x0; x < a.x1; ++x) class1 += near_color(pixel(img, x, y), ae::class_color(1), 60);
    }
    EXPECT_EQ(class1, 0);

    // All points non-finite, and no points at all: empty axes with a default range.
    ae::Matrix all_nan(2, 3);
    all_nan.setConstant(nan);
    expect_valid_image(ae::render_scatter(all_nan, {0, 0, 0}, {}, "", "", "", 300, 200), 300, 200);
    expect_valid_image(ae::render_scatter(ae::Matrix(2, 0), {}, {}, "empty", "", "", 300, 200), 300, 200);
}

TEST(Plot, ScatterPadsADegenerateRange) {
    ae::Matrix points(2, 50);
    points.setConstant(7.0f);
    const std::vector<uint8_t> labels(50, 2);
    const ae::ScatterLayout layout = ae::scatter_layout(points, labels, {}, "", "", "", 400, 300);
    EXPECT_LT(layout.x_min, 7.0);
    EXPECT_GT(layout.x_max, 7.0);
    EXPECT_LT(layout.y_min, 7.0);
    EXPECT_GT(layout.y_max, 7.0);
    EXPECT_GE(layout.x_ticks.size(), 2u);
    EXPECT_GE(layout.y_ticks.size(), 2u);
    const ae::Image img = ae::render_scatter(points, labels, {}, "", "", "", 400, 300);
    const ae::Rect& a = layout.axes;
    // The point sits in the middle of the axes.
    EXPECT_TRUE(near_color(pixel(img, (a.x0 + a.x1 - 1) / 2, (a.y0 + a.y1 - 1) / 2), ae::class_color(2), 24));
}

TEST(Plot, ScatterRejectsBadArguments) {
    ae::Matrix points = ae::Matrix::Random(2, 10);
    EXPECT_THROW(ae::render_scatter(ae::Matrix::Random(3, 10), {}, {}, "", "", "", 400, 300), ae::Error);
    EXPECT_THROW(ae::render_scatter(points, std::vector<uint8_t>(9, 0), {}, "", "", "", 400, 300), ae::Error);
    EXPECT_THROW(ae::render_scatter(points, {}, {}, "", "", "", 40, 30), ae::Error);
    EXPECT_THROW(ae::render_scatter(points, {}, {}, "", "", "", 0, 300), ae::Error);
    EXPECT_THROW(ae::render_scatter(points, {}, {}, "", "", "", 100000, 300), ae::Error);
    // No labels: one colour, no legend.
    const ae::ScatterLayout layout = ae::scatter_layout(points, {}, {}, "", "", "", 400, 300);
    EXPECT_EQ(layout.num_classes, 0);
    EXPECT_EQ(layout.legend.x1 - layout.legend.x0, 0);
}

TEST(Plot, ReconstructionsLayout) {
    const int rows = 28, cols = 28, n = 10, scale = 2;
    ae::Matrix inputs(rows * cols, n), outputs(rows * cols, n);
    inputs.setConstant(0.0f);
    outputs.setConstant(0.5f);
    inputs(0, 0) = 1.0f;  // top-left pixel of the first input is white
    const ae::Image img = ae::render_reconstructions(inputs, outputs, rows, cols, 8, scale);
    expect_valid_image(img, 16 + 8 * cols * scale + 7 * 2, 2 * rows * scale + 76);

    // First input at (8, 8 + 24), first reconstruction at (8, 8 + 24 + rows*scale + 12 + 24).
    EXPECT_EQ(pixel(img, 8, 32), (Rgb{255, 255, 255}));
    EXPECT_EQ(pixel(img, 9, 33), (Rgb{255, 255, 255}));
    EXPECT_EQ(pixel(img, 10, 32), (Rgb{0, 0, 0}));
    EXPECT_EQ(pixel(img, 8 + cols * scale - 1, 32 + rows * scale - 1), (Rgb{0, 0, 0}));
    EXPECT_EQ(pixel(img, 8 + cols * scale, 40), (Rgb{255, 255, 255}));  // the 2 px gap
    const int recon_y = 32 + rows * scale + 12 + 24;
    EXPECT_EQ(pixel(img, 8, recon_y - 1), (Rgb{255, 255, 255}));
    EXPECT_EQ(pixel(img, 8, recon_y), (Rgb{128, 128, 128}));
    EXPECT_EQ(pixel(img, 8 + 7 * (cols * scale + 2), recon_y), (Rgb{128, 128, 128}));
    EXPECT_EQ(pixel(img, img.width - 9, img.height - 9), (Rgb{128, 128, 128}));
    EXPECT_EQ(pixel(img, img.width - 8, img.height - 9), (Rgb{255, 255, 255}));
    EXPECT_EQ(pixel(img, img.width - 9, img.height - 8), (Rgb{255, 255, 255}));
    // The "inputs" label above the first row.
    int dark = 0;
    for (int y = 8; y < 32; ++y) {
        for (int x = 8; x < 100; ++x) dark += is_dark(pixel(img, x, y));
    }
    EXPECT_GT(dark, 20);

    // Fewer images than pairs: as many columns as images, never narrower than the label.
    const ae::Image three =
        ae::render_reconstructions(inputs.leftCols(3), outputs.leftCols(3), rows, cols, 8, scale);
    expect_valid_image(three, 16 + 3 * cols * scale + 2 * 2, 2 * rows * scale + 76);
    const ae::Matrix zero = ae::Matrix::Zero(4, 1);
    const ae::Image tiny = ae::render_reconstructions(zero, zero, 2, 2, 1, 1);
    expect_valid_image(tiny, 174, 80);

    EXPECT_THROW(ae::render_reconstructions(inputs, outputs, 27, 28, 8, 2), ae::Error);
    EXPECT_THROW(ae::render_reconstructions(inputs, outputs.leftCols(5), rows, cols, 8, 2), ae::Error);
    EXPECT_THROW(ae::render_reconstructions(inputs, outputs, rows, cols, 0, 2), ae::Error);
    EXPECT_THROW(ae::render_reconstructions(inputs, outputs, rows, cols, 8, 0), ae::Error);
    EXPECT_THROW(ae::render_reconstructions(inputs, outputs, rows, cols, 8, 1 << 20), ae::Error);
    const ae::Matrix none(rows * cols, 0);
    EXPECT_THROW(ae::render_reconstructions(none, outputs, rows, cols, 8, 2), ae::Error);
}

TEST(Plot, ImageGridLayoutAndClamping) {
    const int rows = 3, cols = 2, n = 5;
    ae::Matrix images(rows * cols, n);
    for (int i = 0; i < n; ++i) images.col(i).setConstant(0.25f * i);
    images(0, 4) = std::numeric_limits<float>::quiet_NaN();
    images(1, 4) = 7.0f;
    const ae::Image img = ae::render_image_grid(images, rows, cols, 3, 4);
    expect_valid_image(img, 3 * (cols * 4 + 2) + 2, 2 * (rows * 4 + 2) + 2);
    EXPECT_EQ(pixel(img, 0, 0), (Rgb{255, 255, 255}));
    EXPECT_EQ(pixel(img, 2, 2), (Rgb{0, 0, 0}));                 // image 0 = 0.0
    EXPECT_EQ(pixel(img, 12, 2), (Rgb{64, 64, 64}));        // image 1 = 0.25
    EXPECT_EQ(pixel(img, 2, 16), (Rgb{191, 191, 191}));     // image 3 = 0.75, second grid row
    EXPECT_EQ(pixel(img, 12, 16), (Rgb{0, 0, 0}));          // image 4, pixel (0, 0): NaN -> 0
    EXPECT_EQ(pixel(img, 15, 19), (Rgb{0, 0, 0}));
    EXPECT_EQ(pixel(img, 16, 16), (Rgb{255, 255, 255}));    // pixel (0, 1): 7 -> 1
    EXPECT_EQ(pixel(img, 12, 20), (Rgb{255, 255, 255}));    // pixel (1, 0): 1.0
    EXPECT_EQ(pixel(img, 11, 16), (Rgb{255, 255, 255}));    // gap between cells
    EXPECT_EQ(pixel(img, 25, 20), (Rgb{255, 255, 255}));    // empty sixth cell
    // grid_cols larger than n: one row.
    expect_valid_image(ae::render_image_grid(images, rows, cols, 100, 1), n * (cols + 2) + 2, rows + 4);
    EXPECT_THROW(ae::render_image_grid(images, rows, cols, 0, 1), ae::Error);
    EXPECT_THROW(ae::render_image_grid(images, rows + 1, cols, 3, 1), ae::Error);
    EXPECT_THROW(ae::render_image_grid(ae::Matrix(rows * cols, 0), rows, cols, 3, 1), ae::Error);
}

TEST(Png, WriteThenReadBackGivesIdenticalPixels) {
    TempDir dir;
    ae::Matrix points;
    std::vector<uint8_t> labels;
    three_clusters(&points, &labels);
    const ae::Image img =
        ae::render_scatter(points, labels, {"a", "b", "c"}, "round trip", "x", "y", 320, 240);
    const std::string path = (dir.path() / "scatter.png").string();
    ae::write_png(path, img);

    int w = 0, h = 0, channels = 0;
    stbi_uc* data = stbi_load(path.c_str(), &w, &h, &channels, 3);
    ASSERT_NE(data, nullptr) << stbi_failure_reason();
    EXPECT_EQ(w, img.width);
    EXPECT_EQ(h, img.height);
    EXPECT_EQ(channels, 3);
    const std::vector<uint8_t> read(data, data + static_cast<size_t>(w) * h * 3);
    stbi_image_free(data);
    EXPECT_TRUE(read == img.rgb);

    EXPECT_EQ(dir.entries(), std::vector<std::string>{"scatter.png"});  // no temporary left behind
    const std::vector<uint8_t> bytes = ae::png_encode(img);
    EXPECT_EQ(fs::file_size(path), bytes.size());
}

TEST(Png, OverwritesAtomicallyAndLeavesNoTemporaries) {
    TempDir dir;
    const std::string path = (dir.path() / "out.png").string();
    ae::Image small;
    small.width = 2;
    small.height = 1;
    small.rgb = {255, 0, 0, 0, 0, 255};
    ae::write_png(path, small);
    ae::Image big = ae::render_image_grid(ae::Matrix::Constant(16, 3, 0.5f), 4, 4, 3, 2);
    ae::write_png(path, big);
    int w = 0, h = 0, channels = 0;
    stbi_uc* data = stbi_load(path.c_str(), &w, &h, &channels, 3);
    ASSERT_NE(data, nullptr);
    stbi_image_free(data);
    EXPECT_EQ(w, big.width);
    EXPECT_EQ(h, big.height);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.png"});
}

TEST(Png, MissingDirectoryThrowsNamingThePath) {
    TempDir dir;
    const std::string path = (dir.path() / "no_such_dir" / "out.png").string();
    ae::Image img = ae::render_image_grid(ae::Matrix::Constant(4, 1, 0.5f), 2, 2, 1, 1);
    try {
        ae::write_png(path, img);
        FAIL() << "expected ae::Error";
    } catch (const ae::Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
        EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
    }
    EXPECT_TRUE(dir.entries().empty());
}

TEST(Png, InvalidImageThrows) {
    ae::Image img;
    EXPECT_THROW(ae::png_encode(img), ae::Error);
    img.width = 4;
    img.height = 4;
    img.rgb.assign(10, 0);
    TempDir dir;
    const std::string path = (dir.path() / "bad.png").string();
    try {
        ae::write_png(path, img);
        FAIL() << "expected ae::Error";
    } catch (const ae::Error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicFile, FailedRenameRemovesTheTemporary) {
    TempDir dir;
    // The target is a non-empty directory: the temporary is written, the rename fails.
    const fs::path target = dir.path() / "occupied";
    fs::create_directories(target / "child");
    const char payload[] = "hello";
    EXPECT_THROW(ae::write_file_atomic(target.string(), payload, sizeof payload), ae::Error);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"occupied"});
}

TEST(AtomicFile, WritesExactBytes) {
    TempDir dir;
    const std::string path = (dir.path() / "data.bin").string();
    std::vector<uint8_t> payload(100000);
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 31 + 7);
    ae::write_file_atomic(path, payload.data(), payload.size());
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(back == payload);
    ae::write_file_atomic(path, nullptr, 0);
    EXPECT_EQ(fs::file_size(path), 0u);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"data.bin"});
}

TEST(Plot, VectorFieldDrawsArrowsAndReconstructions) {
    // A 3 x 3 grid over [0, 1]² with every arrow 0.25 to the right; data at two corners, one reconstruction.
    ae::Matrix grid(2, 9), field(2, 9), data(2, 2), recon(2, 2);
    for (int k = 0; k < 9; ++k) {
        grid(0, k) = 0.5f * (k % 3);
        grid(1, k) = 0.5f * (k / 3);
        field(0, k) = 0.25f;
        field(1, k) = 0.0f;
    }
    data << 0.0f, 1.0f, 0.0f, 1.0f;
    recon << 0.25f, 1.0f, 0.75f, 1.0f;
    const int w = 700, h = 600;
    const ae::Image img = ae::render_vector_field(data, {}, {}, recon, grid, field, "field", w, h);
    expect_valid_image(img, w, h);
    ae::Matrix span(2, 11);
    span << grid, data;
    const ae::ScatterLayout L = ae::scatter_layout(span, {}, {}, "field", "x1", "x2", w, h);
    const ae::Rect& a = L.axes;
    auto px = [&](double x) { return static_cast<int>(std::lround(a.x0 + (x - L.x_min) / (L.x_max - L.x_min) * (a.x1 - 1 - a.x0))); };
    auto py = [&](double y) { return static_cast<int>(std::lround(a.y1 - 1 - (y - L.y_min) / (L.y_max - L.y_min) * (a.y1 - 1 - a.y0))); };
    // Ink: the darkest grey level of the pixels (x, y - 1..y + 1) (a 1.2 px line at a half-pixel position
    // covers two rows partly).
    auto ink = [](const ae::Image& im, int x, int y) {
        int v = 255;
        for (int dy = -1; dy <= 1; ++dy) v = std::min(v, static_cast<int>(pixel(im, x, y + dy)[1]));
        return v;
    };
    // The shaft of the centre arrow, from (0.5, 0.5) to (0.75, 0.5), is inked; 6 px above it is not.
    for (double x : {0.55, 0.625, 0.7}) {
        EXPECT_LT(ink(img, px(x), py(0.5)), 160) << x;
        EXPECT_GT(ink(img, px(x), py(0.5) - 6), 220) << x;
    }
    // The head's barbs reach back and up / down from the tip; nothing beyond the tip.
    EXPECT_GT(ink(img, px(0.75) + 4, py(0.5)), 220);
    EXPECT_LT(ink(img, px(0.75) - 4, py(0.5) - 2), 200);
    EXPECT_LT(ink(img, px(0.75) - 4, py(0.5) + 2), 200);
    // The reconstruction (0.25, 0.75) is a dark dot away from every arrow.
    EXPECT_LT(ink(img, px(0.25), py(0.75)), 120);
    // With arrow_scale 0 only dots remain: no shaft.
    const ae::Image dots = ae::render_vector_field(data, {}, {}, recon, grid, field, "field", w, h, 0.0f);
    EXPECT_GT(ink(dots, px(0.625), py(0.5)), 220);
    test_util::expect_contains(
        test_util::error_of([&] { ae::render_vector_field(data, {}, {}, recon.leftCols(1), grid, field, "", w, h); }),
        {"render_vector_field", "[2, 2] and [2, 1]"});
    test_util::expect_contains(
        test_util::error_of([&] { ae::render_vector_field(data, {}, {}, recon, grid, field.leftCols(4), "", w, h); }),
        {"grid and field"});
}
