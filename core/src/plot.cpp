#include "ae/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "ae/error.h"

// Header-only, every function static: no IMPLEMENTATION macro needed.
#include <stb/stb_easy_font.h>

namespace ae {

namespace {

using Rgb = std::array<uint8_t, 3>;

const Rgb kWhite = {255, 255, 255};
const Rgb kInk = {33, 33, 33};           // text, axes frame, ticks
const Rgb kGrid = {232, 232, 232};       // grid lines behind the points
const Rgb kLegendEdge = {204, 204, 204}; // matplotlib's legend frame grey

const int kMaxSide = 16384;
const int kTextScale = 2;   // tick labels, axis labels, legend
const int kTitleScale = 3;
const int kGlyphCap = 7;    // stb_easy_font: capitals span y in [0, 7), descenders reach 9
const int kGlyphDrop = 9;
const float kPointRadius = 2.0f;
const float kPointAlpha = 0.55f;

Image image_init(int width, int height, const char* who) {
    if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide) {
        throw Error(std::string(who) + ": image size " + std::to_string(width) + "x" +
                    std::to_string(height) + " is outside 1.." + std::to_string(kMaxSide) + " per side");
    }
    Image img;
    img.width = width;
    img.height = height;
    img.rgb.assign(static_cast<size_t>(width) * height * 3, 255);
    return img;
}

void fill_rect(Image& img, int x0, int y0, int x1, int y1, Rgb c) {
    x0 = std::max(x0, 0);
    y0 = std::max(y0, 0);
    x1 = std::min(x1, img.width);
    y1 = std::min(y1, img.height);
    for (int y = y0; y < y1; ++y) {
        uint8_t* row = img.rgb.data() + (static_cast<size_t>(y) * img.width) * 3;
        for (int x = x0; x < x1; ++x) {
            row[x * 3 + 0] = c[0];
            row[x * 3 + 1] = c[1];
            row[x * 3 + 2] = c[2];
        }
    }
}

// Rectangle outline, 1 px, on the pixels just outside r.
void frame_rect(Image& img, Rect r, Rgb c) {
    fill_rect(img, r.x0 - 1, r.y0 - 1, r.x1 + 1, r.y0, c);
    fill_rect(img, r.x0 - 1, r.y1, r.x1 + 1, r.y1 + 1, c);
    fill_rect(img, r.x0 - 1, r.y0, r.x0, r.y1, c);
    fill_rect(img, r.x1, r.y0, r.x1 + 1, r.y1, c);
}

void blend_pixel(Image& img, int x, int y, Rgb c, float alpha) {
    uint8_t* p = img.rgb.data() + (static_cast<size_t>(y) * img.width + x) * 3;
    for (int i = 0; i < 3; ++i) {
        float v = p[i] + (c[i] - p[i]) * alpha;
        p[i] = static_cast<uint8_t>(std::lround(std::min(255.0f, std::max(0.0f, v))));
    }
}

// Anti-aliased filled disc centred at (cx, cy) (pixel centres are integer coordinates), clipped to `clip`.
void draw_disc(Image& img, float cx, float cy, float radius, Rgb c, float alpha, Rect clip) {
    const int x0 = std::max(clip.x0, static_cast<int>(std::floor(cx - radius - 1.0f)));
    const int x1 = std::min(clip.x1 - 1, static_cast<int>(std::ceil(cx + radius + 1.0f)));
    const int y0 = std::max(clip.y0, static_cast<int>(std::floor(cy - radius - 1.0f)));
    const int y1 = std::min(clip.y1 - 1, static_cast<int>(std::ceil(cy + radius + 1.0f)));
    for (int y = y0; y <= y1; ++y) {
        for (int x = x0; x <= x1; ++x) {
            const float dx = x - cx, dy = y - cy;
            const float dist = std::sqrt(dx * dx + dy * dy);
            const float coverage = std::min(1.0f, std::max(0.0f, radius + 0.5f - dist));
            if (coverage > 0.0f) blend_pixel(img, x, y, c, alpha * coverage);
        }
    }
}

// stb_easy_font glyph quads for `text` as integer rectangles in font units (x right, y down, origin at
// the top-left of the first glyph). Characters outside printable ASCII become '?'.
std::vector<Rect> text_quads(const std::string& text) {
    std::vector<char> chars;
    chars.reserve(text.size() + 1);
    for (char ch : text) chars.push_back(ch >= 32 && ch <= 126 ? ch : '?');
    chars.push_back('\0');
    // Each segment is one quad of 4 vertices x 16 bytes; no glyph has more than 16 segments.
    std::vector<float> buffer((text.size() + 1) * 16 * 16);
    const int quads = stb_easy_font_print(0.0f, 0.0f, chars.data(), nullptr, buffer.data(),
                                          static_cast<int>(buffer.size() * sizeof(float)));
    std::vector<Rect> out;
    out.reserve(quads);
    for (int q = 0; q < quads; ++q) {
        const float* v = buffer.data() + q * 16;  // 4 vertices of {x, y, z, rgba}
        float xmin = v[0], xmax = v[0], ymin = v[1], ymax = v[1];
        for (int k = 1; k < 4; ++k) {
            xmin = std::min(xmin, v[k * 4]);
            xmax = std::max(xmax, v[k * 4]);
            ymin = std::min(ymin, v[k * 4 + 1]);
            ymax = std::max(ymax, v[k * 4 + 1]);
        }
        out.push_back({static_cast<int>(std::lround(xmin)), static_cast<int>(std::lround(ymin)),
                       static_cast<int>(std::lround(xmax)), static_cast<int>(std::lround(ymax))});
    }
    return out;
}

// Width of the ink of `text` in pixels at `scale`.
int text_width(const std::string& text, int scale) {
    int w = 0;
    for (const Rect& q : text_quads(text)) w = std::max(w, q.x1);
    return w * scale;
}

// Horizontal text with the top-left of its first capital at (x, y).
void draw_text(Image& img, int x, int y, const std::string& text, Rgb c, int scale) {
    for (const Rect& q : text_quads(text)) {
        fill_rect(img, x + q.x0 * scale, y + q.y0 * scale, x + q.x1 * scale, y + q.y1 * scale, c);
    }
}

// Text turned 90 degrees counter-clockwise (reads bottom to top, as a y-axis label). (x, y) is where the
// top-left corner of the unrotated text goes: the text extends up from y and right from x.
void draw_text_up(Image& img, int x, int y, const std::string& text, Rgb c, int scale) {
    for (const Rect& q : text_quads(text)) {
        fill_rect(img, x + q.y0 * scale, y - q.x1 * scale, x + q.y1 * scale, y - q.x0 * scale, c);
    }
}

// "Nice numbers for graph labels" (P. Heckbert, Graphics Gems, 1990): a step of 1, 2, 2.5 or 5 x 10^e
// giving about `target` intervals over [lo, hi], and the multiples of it inside the range.
std::vector<double> nice_ticks(double lo, double hi, int target, double* step_out) {
    const double raw = (hi - lo) / std::max(1, target);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    const double nice = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0;
    const double step = nice * mag;
    std::vector<double> ticks;
    const double first = std::ceil(lo / step - 1e-9);
    for (double i = first; i * step <= hi + step * 1e-9 && ticks.size() < 64; i += 1.0) {
        ticks.push_back(i * step);
    }
    *step_out = step;
    return ticks;
}

double tick_step(const std::vector<double>& ticks, double lo, double hi) {
    return ticks.size() >= 2 ? ticks[1] - ticks[0] : hi - lo;
}

std::string tick_text(double v, double step) {
    char buf[64];
    const double big = std::max(std::abs(v), step);
    if (big >= 1e6 || step < 1e-4) {
        std::snprintf(buf, sizeof buf, "%.3g", v);
    } else {
        int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
        if (std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6) {
            ++decimals;  // steps like 0.25
        }
        if (std::abs(v) < step * 1e-6) v = 0.0;  // no "-0.0"
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    }
    return buf;
}

// Range of finite values padded by 5% per side; a degenerate range is widened around its value.
void data_range(const Matrix& points, int row, double* lo, double* hi) {
    double mn = INFINITY, mx = -INFINITY;
    for (Eigen::Index i = 0; i < points.cols(); ++i) {
        const float x = points(0, i), y = points(1, i);
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        const double v = row == 0 ? x : y;
        mn = std::min(mn, v);
        mx = std::max(mx, v);
    }
    if (!(mn <= mx)) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    const double span = mx - mn;
    if (span <= 1e-9 * std::max(1.0, std::max(std::abs(mn), std::abs(mx)))) {
        const double half = 0.5 * std::max(1.0, std::abs(mn));
        *lo = mn - half;
        *hi = mx + half;
        return;
    }
    *lo = mn - 0.05 * span;
    *hi = mx + 0.05 * span;
}

std::string class_name(const std::vector<std::string>& names, int c) {
    return c < static_cast<int>(names.size()) ? names[c] : std::to_string(c);
}

const int kMargin = 12;
const int kTickLength = 5;
const int kTickGap = 6;                  // tick to tick label
const int kLegendPad = 10;
const int kLegendMarker = 5;             // disc radius

void check_grey_images(const Matrix& m, int rows, int cols, const char* who, const char* what) {
    if (rows < 1 || cols < 1 || m.rows() != static_cast<Eigen::Index>(rows) * cols) {
        throw Error(std::string(who) + ": " + what + " has " + std::to_string(m.rows()) +
                    " rows, expected rows * cols = " + std::to_string(rows) + " * " + std::to_string(cols));
    }
}

// Image `col` of m (row-major rows x cols grey levels) upscaled by `scale`, top-left at (x0, y0).
void blit_grey(Image& img, const Matrix& m, Eigen::Index col, int rows, int cols, int scale, int x0, int y0) {
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            float v = m(static_cast<Eigen::Index>(r) * cols + c, col);
            if (!(v >= 0.0f)) v = 0.0f;  // also NaN
            if (v > 1.0f) v = 1.0f;
            const uint8_t g = static_cast<uint8_t>(std::lround(v * 255.0f));
            fill_rect(img, x0 + c * scale, y0 + r * scale, x0 + (c + 1) * scale, y0 + (r + 1) * scale,
                      {g, g, g});
        }
    }
}

}  // namespace

std::array<uint8_t, 3> class_color(int label) {
    static const uint8_t kTab20[20][3] = {
        {31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},   {148, 103, 189},
        {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},
        {174, 199, 232}, {255, 187, 120}, {152, 223, 138}, {255, 152, 150}, {197, 176, 213},
        {196, 156, 148}, {247, 182, 210}, {199, 199, 199}, {219, 219, 141}, {158, 218, 229},
    };
    if (label >= 0 && label < 20) return {kTab20[label][0], kTab20[label][1], kTab20[label][2]};
    // HSV with hue stepped by the golden angle, s = 0.65, v = 0.8.
    const double h = std::fmod(std::abs(static_cast<double>(label)) * 137.508, 360.0) / 60.0;
    const double v = 0.8, s = 0.65;
    const double cmax = v, cmin = v * (1.0 - s);
    const double x = cmin + (cmax - cmin) * (1.0 - std::abs(std::fmod(h, 2.0) - 1.0));
    double r, g, b;
    switch (static_cast<int>(h) % 6) {
        case 0: r = cmax; g = x; b = cmin; break;
        case 1: r = x; g = cmax; b = cmin; break;
        case 2: r = cmin; g = cmax; b = x; break;
        case 3: r = cmin; g = x; b = cmax; break;
        case 4: r = x; g = cmin; b = cmax; break;
        default: r = cmax; g = cmin; b = x; break;
    }
    return {static_cast<uint8_t>(std::lround(r * 255)), static_cast<uint8_t>(std::lround(g * 255)),
            static_cast<uint8_t>(std::lround(b * 255))};
}

ScatterLayout scatter_layout(const Matrix& points, const std::vector<uint8_t>& labels,
                             const std::vector<std::string>& class_names, const std::string& title,
                             const std::string& x_label, const std::string& y_label, int width, int height) {
    if (points.rows() != 2) {
        throw Error("render_scatter: points have " + std::to_string(points.rows()) +
                    " rows, expected 2 ([2, n])");
    }
    if (!labels.empty() && static_cast<Eigen::Index>(labels.size()) != points.cols()) {
        throw Error("render_scatter: " + std::to_string(labels.size()) + " labels for " +
                    std::to_string(points.cols()) + " points, expected one per point (or none)");
    }
    if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide) {
        throw Error("render_scatter: image size " + std::to_string(width) + "x" + std::to_string(height) +
                    " is outside 1.." + std::to_string(kMaxSide) + " per side");
    }
    ScatterLayout L;
    data_range(points, 0, &L.x_min, &L.x_max);
    data_range(points, 1, &L.y_min, &L.y_max);

    if (!labels.empty()) {
        int max_label = -1;
        for (uint8_t l : labels) max_label = std::max(max_label, static_cast<int>(l));
        L.num_classes = std::max(static_cast<int>(class_names.size()), max_label + 1);
    }

    const int text_h = kGlyphDrop * kTextScale;
    L.axes.y0 = kMargin + (title.empty() ? 8 : kGlyphDrop * kTitleScale + 14);
    L.axes.y1 = height - (kMargin + kTickLength + kTickGap + text_h + (x_label.empty() ? 0 : 10 + text_h));

    // Legend at the right, top-aligned with the axes; extra columns when the entries do not fit, and
    // 1x text when the 2x legend would take more than 40% of the width.
    int legend_w = 0;
    if (L.num_classes > 0) {
        for (int scale = kTextScale; scale >= 1; --scale) {
            int name_w = 0;
            for (int c = 0; c < L.num_classes; ++c) {
                name_w = std::max(name_w, text_width(class_name(class_names, c), scale));
            }
            const int row_h = 13 * scale;
            const int fit = std::max(1, (L.axes.y1 - L.axes.y0 - 2 * kLegendPad) / row_h);
            const int legend_cols = (L.num_classes + fit - 1) / fit;
            L.legend_rows = (L.num_classes + legend_cols - 1) / legend_cols;
            L.legend_row_height = row_h;
            L.legend_col_width = 2 * kLegendMarker + 8 + name_w + 12;
            L.legend_text_scale = scale;
            legend_w = 2 * kLegendPad + legend_cols * L.legend_col_width - 12;
            if (legend_w * 10 <= width * 4) break;
        }
        L.legend.x1 = width - kMargin;
        L.legend.x0 = L.legend.x1 - legend_w;
        L.legend.y0 = L.axes.y0;
        L.legend.y1 =
            L.legend.y0 + 2 * kLegendPad + L.legend_rows * L.legend_row_height - 4 * L.legend_text_scale;
    }

    double step = 0.0;
    const int plot_h = L.axes.y1 - L.axes.y0;
    L.y_ticks = nice_ticks(L.y_min, L.y_max, std::min(10, std::max(3, plot_h / 60)), &step);
    int tick_w = 0;
    for (double t : L.y_ticks) tick_w = std::max(tick_w, text_width(tick_text(t, step), kTextScale));
    L.axes.x0 = kMargin + (y_label.empty() ? 0 : text_h + 10) + tick_w + kTickGap + kTickLength;
    L.axes.x1 = legend_w > 0 ? L.legend.x0 - 20 : width - kMargin - 8;
    const int plot_w = L.axes.x1 - L.axes.x0;
    L.x_ticks = nice_ticks(L.x_min, L.x_max, std::min(10, std::max(2, plot_w / 120)), &step);

    if (plot_w < 32 || plot_h < 32) {
        throw Error("render_scatter: image size " + std::to_string(width) + "x" + std::to_string(height) +
                    " leaves no room for the axes (" + std::to_string(plot_w) + "x" + std::to_string(plot_h) +
                    " px) next to the labels and legend");
    }
    return L;
}

Image render_scatter(const Matrix& points, const std::vector<uint8_t>& labels,
                     const std::vector<std::string>& class_names, const std::string& title,
                     const std::string& x_label, const std::string& y_label, int width, int height) {
    const ScatterLayout L =
        scatter_layout(points, labels, class_names, title, x_label, y_label, width, height);
    Image img = image_init(width, height, "render_scatter");
    const Rect& a = L.axes;
    const double sx = (a.x1 - 1 - a.x0) / (L.x_max - L.x_min);
    const double sy = (a.y1 - 1 - a.y0) / (L.y_max - L.y_min);
    auto to_px = [&](double x) { return a.x0 + (x - L.x_min) * sx; };
    auto to_py = [&](double y) { return a.y1 - 1 - (y - L.y_min) * sy; };

    // Grid, points, frame, ticks and tick labels.
    const double x_step = tick_step(L.x_ticks, L.x_min, L.x_max);
    const double y_step = tick_step(L.y_ticks, L.y_min, L.y_max);
    for (double t : L.x_ticks) {
        const int px = static_cast<int>(std::lround(to_px(t)));
        fill_rect(img, px, a.y0, px + 1, a.y1, kGrid);
    }
    for (double t : L.y_ticks) {
        const int py = static_cast<int>(std::lround(to_py(t)));
        fill_rect(img, a.x0, py, a.x1, py + 1, kGrid);
    }
    for (Eigen::Index i = 0; i < points.cols(); ++i) {
        const float x = points(0, i), y = points(1, i);
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        const Rgb c = class_color(labels.empty() ? 0 : labels[i]);
        const float px = static_cast<float>(to_px(x)), py = static_cast<float>(to_py(y));
        draw_disc(img, px, py, kPointRadius, c, kPointAlpha, a);
    }
    frame_rect(img, a, kInk);

    const int cap = kGlyphCap * kTextScale;
    for (double t : L.x_ticks) {
        const int px = static_cast<int>(std::lround(to_px(t)));
        fill_rect(img, px, a.y1 + 1, px + 1, a.y1 + 1 + kTickLength, kInk);
        const std::string s = tick_text(t, x_step);
        draw_text(img, px - text_width(s, kTextScale) / 2, a.y1 + 1 + kTickLength + kTickGap, s, kInk,
                  kTextScale);
    }
    for (double t : L.y_ticks) {
        const int py = static_cast<int>(std::lround(to_py(t)));
        fill_rect(img, a.x0 - 1 - kTickLength, py, a.x0 - 1, py + 1, kInk);
        const std::string s = tick_text(t, y_step);
        draw_text(img, a.x0 - 1 - kTickLength - kTickGap - text_width(s, kTextScale), py - cap / 2, s, kInk,
                  kTextScale);
    }

    // Axis labels and title, centred on the axes.
    const int text_h = kGlyphDrop * kTextScale;
    if (!x_label.empty()) {
        const int y = a.y1 + 1 + kTickLength + kTickGap + text_h + 10;
        draw_text(img, (a.x0 + a.x1) / 2 - text_width(x_label, kTextScale) / 2, y, x_label, kInk, kTextScale);
    }
    if (!y_label.empty()) {
        draw_text_up(img, kMargin, (a.y0 + a.y1) / 2 + text_width(y_label, kTextScale) / 2, y_label, kInk,
                     kTextScale);
    }
    if (!title.empty()) {
        draw_text(img, (a.x0 + a.x1) / 2 - text_width(title, kTitleScale) / 2, kMargin, title, kInk,
                  kTitleScale);
    }

    // Legend: frame, then per class a full-colour disc and the name, column by column.
    if (L.num_classes > 0) {
        const Rect& g = L.legend;
        fill_rect(img, g.x0, g.y0, g.x1, g.y1, kWhite);
        frame_rect(img, g, kLegendEdge);
        const int ts = L.legend_text_scale;
        for (int c = 0; c < L.num_classes; ++c) {
            const int x = g.x0 + kLegendPad + (c / L.legend_rows) * L.legend_col_width;
            const int y = g.y0 + kLegendPad + (c % L.legend_rows) * L.legend_row_height;
            const float radius = ts == 1 ? 3.5f : static_cast<float>(kLegendMarker);
            draw_disc(img, static_cast<float>(x + kLegendMarker), y + kGlyphCap * ts * 0.5f - 0.5f, radius,
                      class_color(c), 1.0f, g);
            draw_text(img, x + 2 * kLegendMarker + 8, y, class_name(class_names, c), kInk, ts);
        }
    }
    return img;
}

Image render_reconstructions(const Matrix& inputs, const Matrix& outputs, int rows, int cols, int pairs,
                             int scale) {
    const char* who = "render_reconstructions";
    check_grey_images(inputs, rows, cols, who, "inputs");
    check_grey_images(outputs, rows, cols, who, "outputs");
    if (scale < 1) throw Error(std::string(who) + ": scale " + std::to_string(scale) + ", expected >= 1");
    if (pairs < 1) throw Error(std::string(who) + ": pairs " + std::to_string(pairs) + ", expected >= 1");
    const int p = static_cast<int>(std::min<Eigen::Index>(pairs, inputs.cols()));
    if (p < 1) throw Error(std::string(who) + ": no input images");
    if (outputs.cols() < p) {
        throw Error(std::string(who) + ": " + std::to_string(outputs.cols()) + " reconstructions for " +
                    std::to_string(p) + " inputs");
    }
    const int margin = 8, gap = 2, band = 24, row_gap = 12;
    const long long w = std::max(2LL * margin + p * (1LL * cols * scale + gap) - gap,
                                 2LL * margin + text_width("reconstructions", kTextScale));
    const long long h = 2LL * margin + 2LL * (band + 1LL * rows * scale) + row_gap;
    Image img = image_init(static_cast<int>(std::min<long long>(w, kMaxSide + 1LL)),
                           static_cast<int>(std::min<long long>(h, kMaxSide + 1LL)), who);
    const int cell_w = cols * scale, cell_h = rows * scale;  // no overflow: the image size was checked
    const char* names[2] = {"inputs", "reconstructions"};
    const Matrix* sources[2] = {&inputs, &outputs};
    for (int r = 0; r < 2; ++r) {
        const int y = margin + r * (band + cell_h + row_gap);
        draw_text(img, margin, y + 2, names[r], kInk, kTextScale);
        for (int i = 0; i < p; ++i) {
            blit_grey(img, *sources[r], i, rows, cols, scale, margin + i * (cell_w + gap), y + band);
        }
    }
    return img;
}

Image render_image_grid(const Matrix& images, int rows, int cols, int grid_cols, int scale) {
    const char* who = "render_image_grid";
    check_grey_images(images, rows, cols, who, "images");
    if (scale < 1) throw Error(std::string(who) + ": scale " + std::to_string(scale) + ", expected >= 1");
    if (grid_cols < 1) {
        throw Error(std::string(who) + ": grid_cols " + std::to_string(grid_cols) + ", expected >= 1");
    }
    if (images.cols() < 1) throw Error(std::string(who) + ": no images");
    const long long n = images.cols();
    const long long g = std::min<long long>(grid_cols, n);
    const long long grid_rows = (n + g - 1) / g;
    const int gap = 2;
    const long long w = g * (1LL * cols * scale + gap) + gap;
    const long long h = grid_rows * (1LL * rows * scale + gap) + gap;
    Image img = image_init(static_cast<int>(std::min<long long>(w, kMaxSide + 1LL)),
                           static_cast<int>(std::min<long long>(h, kMaxSide + 1LL)), who);
    const int cell_w = cols * scale, cell_h = rows * scale;  // no overflow: the image size was checked
    for (long long i = 0; i < n; ++i) {
        const int x = static_cast<int>(gap + (i % g) * (cell_w + gap));
        const int y = static_cast<int>(gap + (i / g) * (cell_h + gap));
        blit_grey(img, images, i, rows, cols, scale, x, y);
    }
    return img;
}

Image tile_images(const std::vector<Image>& figures, int cols) {
    if (figures.empty() || cols < 1) throw Error("tile_images: no figures, or cols < 1");
    const int w = figures[0].width, h = figures[0].height, n = static_cast<int>(figures.size());
    for (const Image& f : figures)
        if (f.width != w || f.height != h) throw Error("tile_images: figures of different sizes");
    const int c = std::min(cols, n), r = (n + c - 1) / c;
    Image out;
    out.width = c * w;
    out.height = r * h;
    out.rgb.assign(static_cast<size_t>(out.width) * out.height * 3, 255);
    for (int i = 0; i < n; ++i)
        for (int y = 0; y < h; ++y)
            std::copy_n(figures[i].rgb.data() + static_cast<size_t>(y) * w * 3, static_cast<size_t>(w) * 3,
                        out.rgb.data() + ((static_cast<size_t>((i / c) * h + y)) * out.width + (i % c) * w) * 3);
    return out;
}

}  // namespace ae
