// Report figures rendered into RGB buffers: reconstruction pairs, a labelled 2-D latent scatter plot, and
// image grids (samples, manifold sweeps). No file I/O here (write_png in png.h saves an Image), no
// globals: every function is pure and may run on any thread.
//
// Look: white background, matplotlib-like axes (1 px frame, outward ticks, "nice" tick values, a light
// grid), points as small anti-aliased discs with alpha blending, and the matplotlib "tab10" qualitative
// palette. Text is stb_easy_font (Sean Barrett, public domain) rasterised at 2x (3x for titles).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ae/eigen.h"

namespace ae {

// 8-bit RGB, row-major, top row first: pixel (x, y) is rgb[(y * width + x) * 3 + {0, 1, 2}].
struct Image {
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;  // width * height * 3
};

// Colour of class `label`: tab10 (matplotlib's default cycle, from Tableau 10) for 0..9, the light tab20
// companions for 10..19, then hues spaced by the golden angle.
std::array<uint8_t, 3> class_color(int label);

// Pixel rectangle [x0, x1) x [y0, y1).
struct Rect {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// Where render_scatter draws, for the same arguments. The data range is the finite points' bounding box
// padded by 5% per side (a degenerate range is widened around its value; no finite points: [0, 1]).
// A point (x, y) lands at pixel
//     px = axes.x0 + (x - x_min) / (x_max - x_min) * (axes.x1 - 1 - axes.x0)
//     py = axes.y1 - 1 - (y - y_min) / (y_max - y_min) * (axes.y1 - 1 - axes.y0)
struct ScatterLayout {
    Rect axes;     // inside of the axes frame; points are clipped to it
    Rect legend;   // legend frame, right of the axes (empty when there is nothing to list)
    double x_min = 0.0, x_max = 1.0, y_min = 0.0, y_max = 1.0;
    std::vector<double> x_ticks, y_ticks;  // tick values inside the range
    int num_classes = 0;                   // legend entries: max(class_names.size(), max label + 1)
    // Legend cells: entries fill columns of legend_rows rows, text at 2x (1x when 2x would be too wide).
    int legend_rows = 0, legend_row_height = 0, legend_col_width = 0, legend_text_scale = 0;
};

ScatterLayout scatter_layout(const Matrix& points, const std::vector<uint8_t>& labels,
                             const std::vector<std::string>& class_names, const std::string& title,
                             const std::string& x_label, const std::string& y_label, int width, int height);

// points: [2, n] coloured by labels[i] (n labels, or none: one colour and no legend). The legend lists
// class_names[c] (or the number c when names run out) with class_color(c). NaN/inf points are skipped.
// Throws ae::Error for points.rows() != 2, a label count other than 0 or n, or a size too small for the
// axes (or above 16384 px a side). Typical size 900 x 700.
Image render_scatter(const Matrix& points, const std::vector<uint8_t>& labels,
                     const std::vector<std::string>& class_names, const std::string& title,
                     const std::string& x_label, const std::string& y_label, int width, int height);

// inputs, outputs: [rows * cols, n] grey levels in [0, 1] (clamped; NaN shows as 0), one image per column,
// pixels row-major. Draws the first min(pairs, n) inputs on the top row under the label "inputs" and the
// matching reconstructions under "reconstructions", each upscaled `scale` times (nearest neighbour),
// 2 px apart, on white with an 8 px margin. Size:
//     width  = max(16 + p * cols * scale + (p - 1) * 2, 174)     (174: room for the "reconstructions" label)
//     height = 2 * rows * scale + 76     (8 margin, 24 label, images, 12 gap, 24 label, images, 8 margin)
// Throws ae::Error for mismatched shapes, pairs < 1, empty inputs or scale < 1.
Image render_reconstructions(const Matrix& inputs, const Matrix& outputs, int rows, int cols, int pairs,
                             int scale);

// images: [rows * cols, n] grey levels in [0, 1] laid out g = min(grid_cols, n) per row, in
// ceil(n / g) rows, each upscaled `scale` times, with a 2 px white border around and between cells:
//     width = g * (cols * scale + 2) + 2,   height = ceil(n / g) * (rows * scale + 2) + 2
// Throws ae::Error for mismatched shapes, an empty matrix, grid_cols < 1 or scale < 1.
Image render_image_grid(const Matrix& images, int rows, int cols, int grid_cols, int scale);

// Figures of one size side by side, `cols` per row (row-major), on white: width cols * w, height
// ceil(n / cols) * h. Throws ae::Error for no figures, cols < 1 or figures of different sizes.
Image tile_images(const std::vector<Image>& figures, int cols);

}  // namespace ae
