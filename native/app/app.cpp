#include "app.h"

#include <imgui_stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "ae/error.h"
#include "ae/filters.h"
#include "ae/corruption.h"
#include "ae/latent.h"
#include "ae/metrics.h"
#include "ae/model_file.h"
#include "ae/anomaly.h"
#include "ae/codes.h"
#include "ae/interpolation.h"
#include "ae/manifold.h"
#include "ae/options.h"
#include "ae/pca.h"
#include "ae/sampling.h"
#include "ae/codebook_views.h"
#include "ae/lessons.h"
#include "ae/plot.h"
#include "ae/rng.h"
#include "ae/arithmetic.h"
#include "ae/retrieval.h"
#include "ae/toy_data.h"
#include "ae/traversal.h"

namespace ae_app {

namespace {

using nlohmann::json;

// Wall time in seconds (not ImGui::GetTime(), which stands still while frames are skipped).
double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Colour of palette entry c (class colours from the report plots; entry 15 is black: the drawing).
std::array<float, 48> palette() {
    std::array<float, 48> p{};
    for (int c = 0; c < 16; ++c) {
        const std::array<uint8_t, 3> rgb = c == 15 ? std::array<uint8_t, 3>{0, 0, 0} : ae::class_color(c);
        for (int k = 0; k < 3; ++k) p[c * 3 + k] = rgb[k] / 255.0f;
    }
    return p;
}

ImU32 class_imcolor(int c) {
    const std::array<uint8_t, 3> rgb = ae::class_color(c);
    return IM_COL32(rgb[0], rgb[1], rgb[2], 255);
}

}  // namespace

App::App(Trainer& trainer, const AppOptions& options) : trainer_(trainer), options_(options), data_(options.data) {
    form_from_config(options.config);
    for (size_t i = 0; i < ae::lessons().size(); ++i)
        if (ae::lessons()[i].id == options.lesson) lesson_ = static_cast<int>(i);
    map_method_ = options.map == "tsne" ? 1 : options.map == "umap" ? 2 : 0;
}

void App::init_gl() {
    image_program_.init();
    points_program_.init();
    field_points_.init();
    segments_program_.init();
}

ae::Matrix App::test_images(const std::vector<int>& index) const {
    const ae::Dataset& d = *status_.test;
    ae::Matrix x(d.dim(), static_cast<int>(index.size()));
    for (size_t j = 0; j < index.size(); ++j)
        ae::dataset_load_images(d, nullptr, std::clamp(index[j], 0, d.count - 1), 1, x.col(static_cast<int>(j)));
    return x;
}

bool App::has_news() const {
    if (trainer_.status_version() != status_version_) return true;
    if (tsne_.running()) return true;  // the t-SNE map animates
    return now_seconds() - last_poll_ >= 0.05 && trainer_.changed_since(snap_generation_, snap_version_);
}

void App::poll() {
    if (trainer_.status_version() != status_version_) {
        const uint64_t old_generation = status_.generation;
        status_ = trainer_.status();
        status_version_ = status_.version;
        if (!config_pending_ || status_.generation != old_generation) {
            form_from_config(status_.config);
            config_pending_ = false;
        }
    }
    ae::Config config;
    model_changed_ = false;
    // Snapshots change every minibatch; copying one (weights included) 20 times a second is plenty.
    const double t_poll = now_seconds();
    if (t_poll - last_poll_ >= 0.05 && trainer_.poll(snap_, &snap_generation_, &snap_version_, &config)) {
        last_poll_ = t_poll;
        if (snap_generation_ != model_generation_) {
            model_ = std::make_unique<ae::Autoencoder>(config.model);
            model_hashing_ = config.model.is_hashing();
            if (model_->is_conditional()) {  // a new session decodes with class 0: keep the chosen one
                if (cond_class_ >= model_->condition_dim()) cond_class_ = 0;
                model_->set_default_class(cond_class_);
            }
            model_generation_ = snap_generation_;
            model_params_version_ = 0;
            drawing_.assign(static_cast<size_t>(config.model.input_dim()), 0.0f);
            drawing_dirty_ = true;
            map_fit_ = true;
            rate_step0_ = -1;
            tsne_.stop();  // it embedded the old model's codes
            tsne_started_ = false;
            tsne_map_.points.resize(0, 0);
            nn_pixels_.resize(0, 0);  // another data set's images
            compare_views_.clear();
            nn_pixel_mean_.clear();
        }
        if (snap_.params_version != model_params_version_ &&
            snap_.params.size() == model_->params().values().size()) {
            model_->params().values() = snap_.params;
            model_params_version_ = snap_.params_version;
            model_changed_ = true;
            refresh_model();
        }
    }
    if (map_method_ >= 1) {
        // In a scripted or paused run t-SNE (UMAP) starts by itself; while training, "Re-run" starts it.
        if (!tsne_started_ && !status_.running && snap_.test_codes.cols() >= 2) start_tsne();
        if (tsne_.poll(tsne_map_)) update_map_points();
    }
    // Samples/s as the UI sees it: minibatches advanced over wall time, while training runs.
    const double t = now_seconds();
    if (!status_.running || rate_step0_ < 0) {
        rate_step0_ = snap_.step;
        rate_t0_ = t;
    } else if (t - rate_t0_ > 1.0 && snap_.step > rate_step0_) {
        const int batch = std::min<int>(status_.config.train.batch, status_.train ? status_.train->count : 1);
        ui_rate_ = static_cast<double>(snap_.step - rate_step0_) * batch / (t - rate_t0_);
        if (t - rate_t0_ > 5.0) {  // a sliding window of about 5 s
            rate_step0_ = snap_.step;
            rate_t0_ = t;
        }
    }
}

// New weights arrived: recompute the latent map projection; the tools recompute lazily.
void App::refresh_model() {
    const ae::Matrix& codes = snap_.test_codes;
    const int m = static_cast<int>(codes.cols());
    if (m == 0) return;
    try {
        projection_ = ae::latent_project_2d(codes, &projection_);
    } catch (const ae::Error&) {  // e.g. a single code: nothing to project
        return;
    }
    map_pca_ = projection_.uses_pca;
    update_map_points();
    mark_views_dirty();
}

// The views that decode with the model recompute at their next frame.
void App::mark_views_dirty() {
    manifold_dirty_ = prior_dirty_ = traversal_dirty_ = nn_dirty_ = hash_dirty_ = arith_dirty_ = interp_dirty_ =
        denoise_dirty_ = drawing_dirty_ = swap_dirty_ = vq_dirty_ = true;
    hover_shown_ = -2;
}

void App::start_tsne() {
    if (map_method_ == 2) {
        tsne_.start_umap(snap_.test_codes, ae::UmapOptions{});
    } else {
        ae::TsneOptions o;
        o.perplexity = tsne_perplexity_;
        tsne_.start(snap_.test_codes, o);
    }
    tsne_started_ = true;
    tsne_step_ = snap_.step;
    tsne_map_.points.resize(0, 0);
    tsne_map_.error.clear();
    map_fit_ = true;
}

void App::update_map_points() {
    const ae::Matrix& codes = snap_.test_codes;
    const int m = static_cast<int>(codes.cols());
    if (m == 0 || projection_.points.cols() != m) return;
    if (map_method_ >= 1 && tsne_map_.points.cols() == m && tsne_map_.umap == (map_method_ == 2)) {
        map_points_ = tsne_map_.points;
    } else {
        map_points_ = projection_.points;
        if (codes.rows() == 1)  // spread a 1-D code over the classes so it stays readable
            for (int i = 0; i < m; ++i) map_points_(1, i) = static_cast<float>(snap_.test_labels[i]);
    }
    map_xy_.resize(static_cast<size_t>(2 * m));
    map_class_.resize(static_cast<size_t>(m));
    for (int i = 0; i < m; ++i) {
        map_xy_[2 * i] = map_points_(0, i);
        map_xy_[2 * i + 1] = map_points_(1, i);
        map_class_[i] = static_cast<float>(std::min<int>(snap_.test_labels[i], 14));
    }
    if (map_fit_) {
        float x0 = 1e30f, x1 = -1e30f, y0 = 1e30f, y1 = -1e30f;
        for (int i = 0; i < m; ++i) {
            if (!std::isfinite(map_points_(0, i)) || !std::isfinite(map_points_(1, i))) continue;
            x0 = std::min(x0, map_points_(0, i));
            x1 = std::max(x1, map_points_(0, i));
            y0 = std::min(y0, map_points_(1, i));
            y1 = std::max(y1, map_points_(1, i));
        }
        if (x0 <= x1 && y0 <= y1) {
            view_cx_ = 0.5f * (x0 + x1);
            view_cy_ = 0.5f * (y0 + y1);
            view_sx_ = 2.0f / std::max((x1 - x0) * 1.1f, 1e-6f);
            view_sy_ = 2.0f / std::max((y1 - y0) * 1.1f, 1e-6f);
            zoom_ = 1.0f;
            pan_x_ = pan_y_ = 0.0f;
        }
    }
}

void App::grid_set(GridView& g, const ae::Matrix& images, int cols, int tile_rows, int tile_cols) {
    const int rows = tile_rows > 0 ? tile_rows : snap_.image_rows, w = tile_cols > 0 ? tile_cols : snap_.image_cols;
    const int n = static_cast<int>(images.cols());
    if (n == 0 || rows * w != images.rows()) return;
    g.cols = std::max(1, std::min(cols, n));
    g.rows = (n + g.cols - 1) / g.cols;
    g.cell_w = w + 1;
    g.cell_h = rows + 1;
    g.width = g.cols * g.cell_w - 1;
    g.height = g.rows * g.cell_h - 1;
    g.pixels.assign(static_cast<size_t>(g.width) * g.height, 1.0f);
    for (int k = 0; k < n; ++k) {
        const int ox = (k % g.cols) * g.cell_w, oy = (k / g.cols) * g.cell_h;
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < w; ++x) {
                const float v = images(y * w + x, k);
                g.pixels[static_cast<size_t>(oy + y) * g.width + ox + x] = std::isfinite(v) ? v : 0.0f;
            }
    }
    g.dirty = true;
}

int App::grid_show(GridView& g, float scale, bool is_signed) {
    if (g.width == 0) {
        ImGui::TextDisabled("(nothing yet)");
        return -1;
    }
    const int w = static_cast<int>(std::lround(g.width * scale)), h = static_cast<int>(std::lround(g.height * scale));
    if (g.dirty || g.canvas.width() != w || g.canvas.height() != h) {
        g.texture.upload(g.pixels.data(), g.width, g.height);
        g.canvas.begin(w, h, {1, 1, 1, 1});
        image_program_.draw(g.texture.id(), -1, -1, 1, 1, is_signed);
        g.canvas.end();
        g.dirty = false;
    }
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(g.canvas.texture())), ImVec2(w, h),
                 ImVec2(0, 1), ImVec2(1, 0));
    if (!ImGui::IsItemHovered()) return -1;
    const ImVec2 p0 = ImGui::GetItemRectMin(), mouse = ImGui::GetMousePos();
    const int cx = static_cast<int>((mouse.x - p0.x) / scale) / g.cell_w;
    const int cy = static_cast<int>((mouse.y - p0.y) / scale) / g.cell_h;
    if (cx < 0 || cx >= g.cols || cy < 0 || cy >= g.rows) return -1;
    return cy * g.cols + cx;
}

void App::frame(int width, int height) {
    poll();
    const float left = 400.0f, right_w = 520.0f;
    const float top_h = std::floor(height * 0.62f);
    const float mid_w = std::max(width - left - right_w, 200.0f);
    const ImGuiCond cond = tile_ ? ImGuiCond_Always : ImGuiCond_FirstUseEver;

    ImGui::SetNextWindowPos(ImVec2(0, 0), cond);
    ImGui::SetNextWindowSize(ImVec2(left, static_cast<float>(height)), cond);
    window_controls();

    ImGui::SetNextWindowPos(ImVec2(left, 0), cond);
    ImGui::SetNextWindowSize(ImVec2(mid_w, top_h), cond);
    window_latent_map();

    ImGui::SetNextWindowPos(ImVec2(left + mid_w, 0), cond);
    ImGui::SetNextWindowSize(ImVec2(right_w, std::floor(top_h * 0.55f)), cond);
    window_losses();

    ImGui::SetNextWindowPos(ImVec2(left + mid_w, std::floor(top_h * 0.55f)), cond);
    ImGui::SetNextWindowSize(ImVec2(right_w, top_h - std::floor(top_h * 0.55f)), cond);
    window_reconstructions();

    ImGui::SetNextWindowPos(ImVec2(left, top_h), cond);
    ImGui::SetNextWindowSize(ImVec2(width - left, height - top_h), cond);
    window_tools();
}

void App::apply_form() {
    if (!form_.ok()) return;
    trainer_.set_config(form_.config);
    config_pending_ = false;
}

void App::form_from_config(const ae::Config& c) {
    for (const ae::FieldInfo& f : ae::config_fields()) form_text_[f.path] = ae::field_text(c, f.path);
    form_recheck();
}

void App::form_recheck() {
    std::vector<std::pair<std::string, std::string>> given;
    for (const ae::FieldInfo& f : ae::config_fields())
        if (f.group != "data") given.emplace_back(f.path, form_text_[f.path]);
    form_ = ae::form_check(status_.config, given);
}

// One widget per field that applies to the chosen model, in the core's order, grouped; a hover shows
// the field's help, unit and range; a bad value is marked under its field. Returns true when a field was
// committed (Enter, leaving the field, a choice).
bool App::config_form() {
    bool committed = false;
    const ImVec4 red(1, 0.35f, 0.35f, 1);
    // Two passes: the common fields by group, then the advanced ones under "more options".
    for (int pass = 0; pass < 2; ++pass) {
        std::string group;
        if (pass == 1 && !ImGui::TreeNode("more options")) break;
        for (const ae::FieldInfo& f : ae::config_fields()) {
            if (f.group == "data" || f.advanced != (pass == 1) || !ae::field_applies(f, form_.config)) continue;
            if (pass == 0 && f.group != group) {
                group = f.group;
                ImGui::TextDisabled("%s", group.c_str());
            }
            ImGui::PushID(f.path.c_str());
            std::string& text = form_text_[f.path];
            const bool marked = form_.errors.count(f.path) > 0;
            if (marked) ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0.45f, 0.1f, 0.1f, 1));
            bool edited = false;
            if (f.kind == ae::FieldKind::choice) {
                if (ImGui::BeginCombo(f.label.c_str(), text.c_str())) {
                    for (const std::string& c : f.choices)
                        if (ImGui::Selectable(c.c_str(), c == text) && c != text) {
                            text = c;
                            edited = committed = true;
                        }
                    ImGui::EndCombo();
                }
            } else {
                edited = ImGui::InputText(f.label.c_str(), &text);
                committed |= ImGui::IsItemDeactivatedAfterEdit();
            }
            if (marked) ImGui::PopStyleColor();
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s\n%s%s%s", f.help.c_str(), f.unit.empty() ? "" : (f.unit + "; ").c_str(),
                                  ae::field_range_text(f).c_str(), f.live ? "; applies while training" : "");
            if (edited && f.path == "model.type") {
                // A new model type starts from its defaults (as ae train --model); training options stay.
                std::vector<std::pair<std::string, std::string>> given = {{f.path, text}};
                for (const ae::FieldInfo& t : ae::config_fields())
                    if (t.path.rfind("train.", 0) == 0) given.emplace_back(t.path, form_text_[t.path]);
                const ae::FormResult r = ae::form_check(status_.config, given);
                for (const ae::FieldInfo& t : ae::config_fields())
                    form_text_[t.path] = ae::field_text(r.config, t.path);
            }
            if (edited) form_recheck();
            if (form_.errors.count(f.path)) {
                ImGui::PushTextWrapPos(0);
                ImGui::TextColored(red, "%s", form_.errors.at(f.path).c_str());
                ImGui::PopTextWrapPos();
            }
            ImGui::PopID();
        }
        if (pass == 1) ImGui::TreePop();
    }
    if (form_.errors.count("")) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(red, "%s", form_.errors.at("").c_str());
        ImGui::PopTextWrapPos();
    }
    return committed;
}

void App::lesson_menu() {
    const std::vector<ae::Lesson>& ls = ae::lessons();
    const char* none = "(none: your own setup)";
    if (ImGui::BeginCombo("lesson", lesson_ < 0 ? none : ls[static_cast<size_t>(lesson_)].title.c_str())) {
        for (size_t i = 0; i < ls.size(); ++i) {
            if (ImGui::Selectable(ls[i].title.c_str(), static_cast<int>(i) == lesson_)) open_lesson(static_cast<int>(i));
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("from the material: %s", ls[i].source.c_str());
        }
        ImGui::EndCombo();
    }
    if (lesson_ >= 0) {
        const ae::Lesson& l = ls[static_cast<size_t>(lesson_)];
        ImGui::TextWrapped("%s", l.look_for.c_str());
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("view: %s; from the material: %s", l.view.c_str(), l.source.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::Separator();
}

// The lesson's settings on top of the current config (form_check, as the page does), its data, then training.
void App::open_lesson(int i) {
    const ae::Lesson& l = ae::lessons()[static_cast<size_t>(i)];
    const ae::FormResult r = ae::form_check(status_.config, l.settings);
    if (!r.ok()) {
        tool_error_ = "lesson " + l.id + ": " + r.errors.begin()->first + ": " + r.errors.begin()->second;
        return;
    }
    lesson_ = i;
    trainer_.pause();
    trainer_.set_config(r.config);
    form_from_config(r.config);
    if (data_.kind != l.data || !status_.train) {
        data_.kind = l.data;
        trainer_.load_data(data_);
    }
    trainer_.start();
}

void App::window_controls() {
    ImGui::Begin("Controls");
    lesson_menu();
    // Data.
    ImGui::TextUnformatted("Data");
    static const char* kinds[] = {"fashion-mnist", "mnist", "idx"};
    int kind = data_.kind == "mnist" ? 1 : data_.kind == "idx" ? 2 : 0;
    if (ImGui::Combo("data set", &kind, kinds, 3)) data_.kind = kinds[kind];
    if (data_.kind == "idx") {
        ImGui::InputText("train images", &data_.train_images);
        ImGui::InputText("train labels", &data_.train_labels);
        ImGui::InputText("test images", &data_.test_images);
        ImGui::InputText("test labels", &data_.test_labels);
        ImGui::TextDisabled("(or drop IDX files on the window)");
    }
    ImGui::InputInt("limit train", &data_.limit_train, 1000, 10000);
    ImGui::InputInt("limit test", &data_.limit_test, 1000, 10000);
    if (ImGui::Button(status_.loading ? "Loading..." : "Load data")) trainer_.load_data(data_);
    ImGui::SameLine();
    if (status_.train)
        ImGui::Text("%s: %d / %d, %dx%d", status_.data_name.c_str(), status_.train->count, status_.test->count,
                    status_.train->rows, status_.train->cols);
    ImGui::Separator();

    // Training commands.
    // Start and Step stay disabled while a field of the form is marked (they would train another model
    // than the form shows).
    const bool form_bad = !form_.ok();
    if (status_.running) {
        if (ImGui::Button("Pause")) trainer_.pause();
    } else {
        ImGui::BeginDisabled(form_bad);
        if (ImGui::Button("Start")) trainer_.start();
        ImGui::EndDisabled();
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(form_bad && !status_.running);
    if (ImGui::Button("Step")) trainer_.step(step_count_);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::InputInt("##steps", &step_count_);
    step_count_ = std::max(step_count_, 1);
    ImGui::SameLine();
    if (ImGui::Button("Reset")) trainer_.reset();
    const int bpe = std::max(snap_.batches_per_epoch, 1);
    ImGui::Text("epoch %d (%d/%d)  step %lld", snap_.epoch, snap_.batch_in_epoch, bpe,
                static_cast<long long>(snap_.step));
    ImGui::Text("%.0f samples/s over the last seconds%s", ui_rate_, status_.finished ? "  finished" : "");
    ImGui::ProgressBar(static_cast<float>(snap_.batch_in_epoch) / bpe, ImVec2(-1, 4), "");
    if (snap_.diverged) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", snap_.message.c_str());
    if (!status_.error.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", status_.error.c_str());
        ImGui::PopTextWrapPos();
    } else if (!status_.notice.empty()) {
        ImGui::TextDisabled("%s", status_.notice.c_str());
    }
    ImGui::Separator();

    // Model and training options: a form generated from the core's description of them (options.h).
    ImGui::TextUnformatted("Model and training (Enter applies; hover for help)");
    ImGui::PushItemWidth(170);
    // The architecture picker fills the encoder (and the mirror decoder) with layer specs; the fields stay
    // editable. The same three choices as the web page.
    bool committed = false;
    {
        static const char* labels[] = {"MLP (Dense layers)", "conv, strided convolutions", "conv, pooling + upsampling"};
        std::string& enc = form_text_["model.encoder"];
        int arch = enc.find_first_of("cm") == std::string::npos ? 0 : enc.find('m') != std::string::npos ? 2 : 1;
        if (ImGui::Combo("architecture", &arch, labels, 3)) {
            if (arch == 1) enc = "c32k4s2p1,c64k4s2p1";
            else if (arch == 2) enc = "c16k3s1p1,m2,c8k3s1p1,m2";
            else enc = ae::layer_specs_to_string(ae::model_defaults(form_.config.model.type).encoder);
            form_text_["model.decoder"] = "";
            form_recheck();
            committed = true;
        }
    }
    committed |= config_form();
    if (committed && form_.ok()) {
        if (config_same_model(status_.config, form_.config)) {
            trainer_.set_config(form_.config);  // live: applies at the next batch boundary
            config_pending_ = false;
        } else {
            config_pending_ = true;
        }
    } else if (committed) {
        config_pending_ = true;
    }
    ImGui::PopItemWidth();
    if (config_pending_) {
        ImGui::BeginDisabled(form_bad);
        if (ImGui::Button("Apply (new model)")) apply_form();
        ImGui::EndDisabled();
        ImGui::SameLine();
        if (ImGui::Button("Revert")) {
            form_from_config(status_.config);
            config_pending_ = false;
            config_error_.clear();
        }
    }
    if (!config_error_.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", config_error_.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::Separator();

    // Model files.
    ImGui::TextUnformatted("Model file (safetensors)");
    ImGui::SetNextItemWidth(-50);
    ImGui::InputText("##path", &model_path_);
    ImGui::SameLine();
    if (ImGui::Button("Save")) trainer_.save_model(model_path_);
    if (ImGui::Button("Load")) trainer_.load_model(model_path_);
    ImGui::SameLine();
    ImGui::TextDisabled("(or drop a .safetensors file on the window)");
    ImGui::Separator();
    ImGui::Checkbox("tile windows", &tile_);
    ImGui::Text("%.1f ms/frame", 1000.0f / std::max(ImGui::GetIO().Framerate, 1.0f));
    ImGui::End();
}

namespace {
// Mean over buckets: at most `max_points` values however long the run.
std::vector<float> bucket_means(const std::vector<float>& v, size_t max_points) {
    const size_t buckets = std::min(v.size(), max_points);
    std::vector<float> out(buckets);
    for (size_t b = 0; b < buckets; ++b) {
        const size_t i0 = b * v.size() / buckets, i1 = std::max(i0 + 1, (b + 1) * v.size() / buckets);
        double sum = 0;
        for (size_t i = i0; i < i1; ++i) sum += v[i];
        out[b] = static_cast<float>(sum / (i1 - i0));
    }
    return out;
}

}  // namespace

void App::window_losses() {
    ImGui::Begin("Losses");
    const std::vector<float>& l = snap_.train_loss;
    if (l.empty()) {
        ImGui::TextDisabled("(no steps yet)");
        ImGui::End();
        return;
    }
    const float w = ImGui::GetContentRegionAvail().x;
    // Which terms this model uses (a term that is zero throughout is not plotted): ae::loss_terms() order,
    // plotted total first.
    const std::vector<ae::LossTermInfo>& terms = ae::loss_terms();
    const int n_terms = static_cast<int>(terms.size());
    std::vector<int> order = {n_terms - 1};
    for (int k = 0; k + 1 < n_terms; ++k) order.push_back(k);
    std::vector<bool> used(n_terms, false);
    used[n_terms - 1] = used[0] = true;
    for (const ae::LossTerms& t : snap_.train_terms)
        for (int k = 1; k + 1 < n_terms; ++k) used[k] = used[k] || t.*(terms[k].field) != 0.0;
    int n_used = 0;
    for (bool u : used) n_used += u;
    const float plot_h = std::max(40.0f, (ImGui::GetContentRegionAvail().y - 90) / (n_used + 1));
    char overlay[128];
    for (const int k : order) {
        if (!used[k]) continue;
        std::vector<float> v;
        if (k == n_terms - 1) {
            v = l;
        } else {
            v.reserve(snap_.train_terms.size());
            for (const ae::LossTerms& t : snap_.train_terms) v.push_back(static_cast<float>(t.*(terms[k].field)));
        }
        if (v.empty()) continue;
        const std::vector<float> curve = bucket_means(v, 400);
        const float lo = *std::min_element(curve.begin(), curve.end()), hi = *std::max_element(curve.begin(), curve.end());
        std::snprintf(overlay, sizeof overlay, "train %s %.4f (%s)", terms[k].label, v.back(), snap_.loss_unit.c_str());
        ImGui::PushID(k);
        ImGui::PlotLines("##term", curve.data(), static_cast<int>(curve.size()), 0, overlay, lo, hi,
                         ImVec2(w, k == n_terms - 1 ? plot_h * 1.5f : plot_h * 0.8f));
        ImGui::PopID();
    }
    // Per epoch: test total (orange) over train total (the plot's own colour), same scale.
    std::vector<float> test, train_epoch;
    for (const ae::EpochStats& e : snap_.epochs) {
        test.push_back(static_cast<float>(e.test_loss));
        train_epoch.push_back(static_cast<float>(e.train_loss));
    }
    if (!test.empty()) {
        const float tlo = std::min(*std::min_element(test.begin(), test.end()),
                                   *std::min_element(train_epoch.begin(), train_epoch.end()));
        const float thi = std::max(*std::max_element(test.begin(), test.end()),
                                   *std::max_element(train_epoch.begin(), train_epoch.end()));
        const ImVec2 at = ImGui::GetCursorPos();
        std::snprintf(overlay, sizeof overlay, "per epoch: train (blue) / test (orange) %.4f", test.back());
        ImGui::PushStyleColor(ImGuiCol_PlotLines, IM_COL32(31, 119, 180, 255));
        ImGui::PlotLines("##train_epoch", train_epoch.data(), static_cast<int>(train_epoch.size()), 0, overlay, tlo, thi,
                         ImVec2(w, plot_h));
        ImGui::PopStyleColor();
        ImGui::SetCursorPos(at);
        ImGui::PushStyleColor(ImGuiCol_FrameBg, IM_COL32(0, 0, 0, 0));
        ImGui::PushStyleColor(ImGuiCol_PlotLines, IM_COL32(255, 127, 14, 255));
        ImGui::PlotLines("##test_epoch", test.data(), static_cast<int>(test.size()), 0, nullptr, tlo, thi,
                         ImVec2(w, plot_h));
        ImGui::PopStyleColor(2);
        const ae::EpochStats& e = snap_.epochs.back();
        ImGui::Text("epoch %d: train %.4f  test %.4f  test MSE %.4f  %.0f samples/s", e.epoch, e.train_loss,
                    e.test_loss, e.test_mse, e.samples_per_sec);
        std::string terms_text = "test terms:";
        for (int k = 0; k + 1 < n_terms; ++k)
            if (used[k]) terms_text += std::string("  ") + terms[k].label + " " + std::to_string(e.test_terms.*(terms[k].field)).substr(0, 7);
        ImGui::TextUnformatted(terms_text.c_str());
    } else {
        ImGui::TextDisabled("train/test loss per epoch after the first epoch");
    }
    ImGui::End();
}

void App::window_reconstructions() {
    ImGui::Begin("Reconstructions");
    if (snap_.view_inputs.cols() > 0 && recon_version_ != snap_.params_version) {
        const int k = static_cast<int>(snap_.view_inputs.cols());
        ae::Matrix both(snap_.view_inputs.rows(), 2 * k);
        both << snap_.view_inputs, snap_.view_reconstructions;
        grid_set(recon_grid_, both, k);
        recon_version_ = snap_.params_version;
    }
    ImGui::TextDisabled("test images (top) and their reconstructions");
    const float avail = ImGui::GetContentRegionAvail().x;
    const float scale = recon_grid_.width > 0 ? std::max(1.0f, std::floor(avail / recon_grid_.width)) : 1.0f;
    grid_show(recon_grid_, scale);
    ImGui::End();
}

void App::window_latent_map() {
    ImGui::Begin("Latent map");
    const int latent = snap_.test_codes.rows();
    ImGui::SetNextItemWidth(90);
    if (ImGui::Combo("projection", &map_method_, "PCA\0t-SNE\0UMAP\0")) {
        if (map_method_ >= 1) {
            start_tsne();
        } else {
            tsne_.stop();
            tsne_started_ = false;
            map_fit_ = true;
        }
        update_map_points();
    }
    if (map_method_ == 2) {
        ImGui::SameLine();
        if (ImGui::SmallButton("Re-run UMAP")) start_tsne();
        if (!tsne_map_.error.empty())
            ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", tsne_map_.error.c_str());
        else if (tsne_map_.points.cols() == 0 || !tsne_map_.umap)
            ImGui::TextDisabled("UMAP: computing the neighbour graph...");
        else
            ImGui::Text("UMAP of the %d-D codes at step %lld: epoch %d / %d (15 neighbours, min_dist 0.1)", latent,
                        static_cast<long long>(tsne_step_), tsne_map_.iteration, tsne_map_.iterations);
    } else if (map_method_ == 1) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(90);
        ImGui::InputFloat("perplexity", &tsne_perplexity_, 0, 0, "%.0f");
        ImGui::SameLine();
        if (ImGui::SmallButton("Re-run t-SNE")) start_tsne();
        if (!tsne_map_.error.empty())
            ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", tsne_map_.error.c_str());
        else if (tsne_map_.points.cols() == 0)
            ImGui::TextDisabled("t-SNE: computing the input affinities...");
        else
            ImGui::Text("t-SNE of the %d-D codes at step %lld: iteration %d / %d, KL(P||Q) = %.3f nats%s (learning rate %.0f)",
                        latent, static_cast<long long>(tsne_step_), tsne_map_.iteration, tsne_map_.iterations,
                        tsne_map_.kl, tsne_map_.iteration < 250 ? ", early exaggeration" : "", tsne_map_.learning_rate);
    } else if (map_pca_)
        ImGui::Text("%s, %s of latent size %d (%.0f%% of the variance)  %d test codes", projection_.x_label.c_str(),
                    projection_.y_label.c_str(), latent, 100.0 * projection_.explained,
                    static_cast<int>(snap_.test_codes.cols()));
    else
        ImGui::Text("%s, %s  %d test codes", projection_.x_label.c_str(), latent == 1 ? "class" : projection_.y_label.c_str(),
                    static_cast<int>(snap_.test_codes.cols()));
    ImGui::SameLine();
    if (ImGui::SmallButton("Fit")) {
        map_fit_ = true;
        refresh_model();
    }
    ImGui::SameLine();
    ImGui::TextDisabled("(wheel: zoom, drag: pan, click: pick A, right-click: pick B)");
    ImVec2 avail = ImGui::GetContentRegionAvail();
    const float legend_h = 2 * ImGui::GetTextLineHeightWithSpacing() + 4;
    avail.y = std::max(avail.y - legend_h, 50.0f);
    avail.x = std::max(avail.x, 50.0f);
    const int w = static_cast<int>(avail.x), h = static_cast<int>(avail.y);

    // Points plus the drawing's code (palette entry 15), highlighted.
    std::vector<float> xy = map_xy_, cls = map_class_;
    int highlight = hover_;
    if (!drawing_code_.empty() && !xy.empty() && map_method_ == 0) {  // t-SNE places only the codes it embedded
        const ae::Matrix z = Eigen::Map<const ae::Matrix>(drawing_code_.data(), drawing_code_.size(), 1);
        const ae::Matrix p = ae::latent_project(projection_, z);
        const float px = p(0, 0), py = p(1, 0);
        xy.push_back(px);
        xy.push_back(py);
        cls.push_back(15.0f);
        if (highlight < 0) highlight = static_cast<int>(cls.size()) - 1;
    }
    const float cx = view_cx_ + pan_x_, cy = view_cy_ + pan_y_;
    const float sx = view_sx_ * zoom_, sy = view_sy_ * zoom_;
    // Redraw only when something visible changed (new codes, view, highlight, drawing, size).
    const std::vector<float> key = {static_cast<float>(snap_.params_version), cx, cy, sx, sy,
                                    static_cast<float>(highlight), static_cast<float>(w), static_cast<float>(h),
                                    xy.empty() ? 0.0f : xy[xy.size() - 2], xy.empty() ? 0.0f : xy.back(),
                                    static_cast<float>(xy.size()), static_cast<float>(tsne_map_.version),
                                    static_cast<float>(map_method_)};
    if (key != map_key_) {
        points_program_.upload(xy, cls);
        map_canvas_.begin(w, h, {1, 1, 1, 1});
        points_program_.draw(cx, cy, sx, sy, 5.0f, palette(), highlight, 0.75f);
        map_canvas_.end();
        map_key_ = key;
    }
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(map_canvas_.texture())), ImVec2(w, h),
                 ImVec2(0, 1), ImVec2(1, 0));
    const ImVec2 p0 = ImGui::GetItemRectMin();
    map_rect_ = {p0.x, p0.y, p0.x + w, p0.y + h};
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRect(p0, ImVec2(p0.x + w, p0.y + h), IM_COL32(120, 120, 120, 255));
    // Data range at the corners.
    char label[64];
    std::snprintf(label, sizeof label, "(%.2f, %.2f)", cx - 1 / sx, cy - 1 / sy);
    dl->AddText(ImVec2(p0.x + 4, p0.y + h - 18), IM_COL32(90, 90, 90, 255), label);
    std::snprintf(label, sizeof label, "(%.2f, %.2f)", cx + 1 / sx, cy + 1 / sy);
    dl->AddText(ImVec2(p0.x + w - 8 * std::strlen(label) - 4, p0.y + 4), IM_COL32(90, 90, 90, 255), label);

    hover_ = -1;
    if (ImGui::IsItemHovered() && !map_xy_.empty()) {
        ImGuiIO& io = ImGui::GetIO();
        const ImVec2 m = io.MousePos;
        auto to_data = [&](float mx, float my, float& dx, float& dy) {
            const float u = (mx - p0.x) / w * 2 - 1, v = 1 - (my - p0.y) / h * 2;
            dx = u / sx + cx;
            dy = v / sy + cy;
        };
        if (io.MouseWheel != 0) {
            float bx, by;
            to_data(m.x, m.y, bx, by);
            zoom_ *= std::pow(1.2f, io.MouseWheel);
            // Keep the point under the mouse in place.
            const float u = (m.x - p0.x) / w * 2 - 1, v = 1 - (m.y - p0.y) / h * 2;
            pan_x_ = bx - u / (view_sx_ * zoom_) - view_cx_;
            pan_y_ = by - v / (view_sy_ * zoom_) - view_cy_;
            map_fit_ = false;
        }
        if (ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
            pan_x_ -= io.MouseDelta.x / w * 2 / sx;
            pan_y_ += io.MouseDelta.y / h * 2 / sy;
            map_fit_ = false;
        }
        // Nearest point within 8 px.
        float best = 64.0f;
        const int n = static_cast<int>(map_class_.size());
        for (int i = 0; i < n; ++i) {
            const float px = p0.x + ((map_xy_[2 * i] - cx) * sx + 1) * 0.5f * w;
            const float py = p0.y + (1 - ((map_xy_[2 * i + 1] - cy) * sy + 1) * 0.5f) * h;
            const float d2 = (px - m.x) * (px - m.x) + (py - m.y) * (py - m.y);
            if (d2 < best) {
                best = d2;
                hover_ = i;
            }
        }
        if (hover_ >= 0 && status_.test && model_) {
            if (ImGui::IsMouseReleased(ImGuiMouseButton_Left) && ImGui::GetMouseDragDelta(0).x == 0 &&
                ImGui::GetMouseDragDelta(0).y == 0) {
                interp_a_ = nn_image_ = hash_image_ = arith_image_ = hover_;
                interp_dirty_ = nn_dirty_ = hash_dirty_ = arith_dirty_ = true;
                nn_drawn_ = hash_drawn_ = false;
            }
            if (ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
                interp_b_ = hover_;
                interp_dirty_ = true;
            }
            if (hover_shown_ != hover_) {
                ae::Matrix x = test_images({hover_});
                ae::Matrix both(x.rows(), 2);
                const int own = snap_.test_labels[hover_];  // a cvae reconstructs with the image's class
                both << x, model_->reconstruct(x, nullptr, &own);
                grid_set(hover_grid_, both, 2);
                hover_shown_ = hover_;
            }
            ImGui::BeginTooltip();
            const int label = snap_.test_labels[hover_];
            ImGui::Text("test image %d: %s", hover_,
                        label < static_cast<int>(snap_.class_names.size()) ? snap_.class_names[label].c_str() : "?");
            grid_show(hover_grid_, 4.0f);
            ImGui::TextDisabled("image | reconstruction");
            ImGui::EndTooltip();
        }
    }
    // Legend.
    const float x_start = ImGui::GetCursorPosX();
    for (size_t c = 0; c < snap_.class_names.size() && c < 15; ++c) {
        const ImVec2 q = ImGui::GetCursorScreenPos();
        const float sz = ImGui::GetTextLineHeight();
        dl->AddRectFilled(ImVec2(q.x, q.y + 2), ImVec2(q.x + sz - 4, q.y + sz - 2), class_imcolor(static_cast<int>(c)));
        ImGui::SetCursorScreenPos(ImVec2(q.x + sz, q.y));
        ImGui::TextUnformatted(snap_.class_names[c].c_str());
        ImGui::SameLine();
        if (ImGui::GetCursorPosX() > x_start + w - 120) ImGui::NewLine();
    }
    if (!drawing_code_.empty()) {
        ImGui::TextUnformatted("black: your drawing");
    }
    ImGui::NewLine();
    ImGui::End();
}

void App::window_tools() {
    ImGui::Begin("Latent tools");
    if (!model_) {
        ImGui::TextDisabled("(load a data set)");
        ImGui::End();
        return;
    }
    // --tab NAME opens that tab in the first frame (scripted screenshots of each view).
    auto tab_flags = [&](const char* name) {
        return options_.tab == name && frames_ < 2 ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
    };
    ++frames_;
    class_picker();  // cvae: above the tabs, since every decoding view follows it
    if (ImGui::BeginTabBar("tools")) {
        if (ImGui::BeginTabItem("Manifold", nullptr, tab_flags("manifold"))) {
            tab_manifold();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Prior samples", nullptr, tab_flags("prior"))) {
            tab_prior();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Class swap", nullptr, tab_flags("swap"))) {
            tab_class_swap();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Codes", nullptr, tab_flags("codes"))) {
            tab_codes();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Traversals", nullptr, tab_flags("traversals"))) {
            tab_traversals();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Neighbours", nullptr, tab_flags("neighbours"))) {
            tab_neighbors();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Hashing", nullptr, tab_flags("hashing"))) {
            tab_hashing();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Arithmetic", nullptr, tab_flags("arithmetic"))) {
            tab_arithmetic();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Compare projections", nullptr, tab_flags("projections"))) {
            tab_projections();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Vector field", nullptr, tab_flags("field"))) {
            tab_field();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Interpolation", nullptr, tab_flags("interpolation"))) {
            tab_interpolation();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Draw", nullptr, tab_flags("draw"))) {
            tab_draw();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Denoise / inpaint", nullptr, tab_flags("denoise"))) {
            tab_denoise();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Anomalies", nullptr, tab_flags("anomalies"))) {
            tab_anomaly();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("First layer weights", nullptr, tab_flags("weights"))) {
            tab_weights();
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    // The drawing's code stays on the map whichever tab is open.
    if (drawing_dirty_ && model_) {
        bool any = false;
        for (float v : drawing_) any |= v > 0;
        if (any) {
            ae::Matrix x = Eigen::Map<const ae::Matrix>(drawing_.data(), model_->input_dim(), 1);
            const ae::Matrix z = model_->encode(x);
            drawing_code_.assign(z.data(), z.data() + z.size());
            ae::Matrix both(x.rows(), 2);
            both << x, model_->decode(z);
            grid_set(draw_recon_grid_, both, 2);
        } else {
            drawing_code_.clear();
            draw_recon_grid_.width = 0;
        }
        drawing_dirty_ = false;
        nn_dirty_ |= nn_drawn_;
        hash_dirty_ |= hash_drawn_;
    }
    ImGui::End();
}

void App::tab_manifold() {
    const int latent = model_->latent_dim();
    bool changed = false;
    ImGui::PushItemWidth(140);
    changed |= ImGui::SliderInt("grid", &manifold_n_, 3, 25);
    ImGui::SameLine();
    changed |= ImGui::SliderFloat("tail quantile q", &manifold_q_, 0.001f, 0.25f, "%.3f");
    ImGui::SameLine();
    static const char* spacings[] = {"auto", "linear", "inverse normal CDF"};
    changed |= ImGui::Combo("spacing", &manifold_spacing_, spacings, 3);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("PCA plane", &manifold_pca_);
    if (latent > 2 && !manifold_pca_) {
        ImGui::SameLine();
        changed |= ImGui::SliderInt2("dims", manifold_dims_, 0, latent - 1);
    }
    ImGui::PopItemWidth();
    if ((changed || manifold_dirty_ || model_changed_) && status_.test) {
        manifold_dirty_ = false;
        ae::ManifoldOptions o;  // manifold.h: the one definition (range from quantiles q .. 1 - q)
        o.n = manifold_n_;
        o.plane = manifold_pca_ ? ae::ManifoldPlane::pca : ae::ManifoldPlane::latent_dims;
        o.dim_x = manifold_dims_[0];
        o.dim_y = manifold_dims_[1];
        if (manifold_spacing_ > 0)
            o.spacing = manifold_spacing_ == 1 ? ae::GridSpacing::linear : ae::GridSpacing::normal_quantile;
        o.q_lo = manifold_q_;
        o.q_hi = 1.0 - manifold_q_;
        try {
            const ae::ManifoldGrid g = ae::manifold_grid(*model_, ae::dataset_codes(*model_, *status_.test), o);
            grid_set(manifold_grid_, g.images, g.n);
            char text[200];
            std::snprintf(text, sizeof text, "%s in [%.3g, %.3g], %s in [%.3g, %.3g] (%s, %s spacing)", g.x_label.c_str(),
                          g.x_lo, g.x_hi, g.y_label.c_str(), g.y_lo, g.y_hi, g.range_source.c_str(),
                          ae::grid_spacing_name(g.spacing));
            manifold_note_ = text;
            tool_error_.clear();
        } catch (const ae::Error& e) {
            tool_error_ = e.what();
        }
    }
    ImGui::TextDisabled("%s", manifold_note_.c_str());
    if (!tool_error_.empty()) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", tool_error_.c_str());
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float scale = manifold_grid_.width > 0 ? std::max(1.0f, avail.y / manifold_grid_.height) : 1.0f;
    grid_show(manifold_grid_, std::floor(scale * 4) / 4);
}
void App::class_picker() {
    if (!model_->is_conditional()) return;
    const int C = model_->condition_dim();
    auto name = [&](int c) {
        return c < static_cast<int>(snap_.class_names.size()) ? snap_.class_names[static_cast<size_t>(c)]
                                                               : std::to_string(c);
    };
    ImGui::PushItemWidth(150);
    if (ImGui::BeginCombo("class", name(cond_class_).c_str())) {
        for (int c = 0; c < C; ++c) {
            if (ImGui::Selectable(name(c).c_str(), c == cond_class_) && c != cond_class_) {
                cond_class_ = c;
                model_->set_default_class(c);
                mark_views_dirty();
            }
        }
        ImGui::EndCombo();
    }
    ImGui::PopItemWidth();
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("A conditional VAE's decoder reads a class as well as a code (Sohn et al. 2015):\n"
                          "samples, manifold, traversals, interpolation, drawing and denoising decode with this class.");
}

void App::tab_class_swap() {
    if (!model_->is_conditional()) {
        ImGui::TextWrapped("A view of a cvae model (Sohn, Lee & Yan 2015): the class enters the encoder and the decoder "
                           "as a one-hot vector, so the code is left to hold what the class does not say, the style. "
                           "Choose the model type cvae and press Reset.");
        return;
    }
    const int count = status_.test ? status_.test->count : 1;
    bool changed = false;
    ImGui::PushItemWidth(120);
    changed |= ImGui::InputInt("first test image", &swap_first_);
    ImGui::SameLine();
    changed |= ImGui::SliderInt("images", &swap_n_, 1, 16);
    ImGui::PopItemWidth();
    swap_n_ = std::max(1, std::min(swap_n_, count));
    swap_first_ = std::max(0, std::min(swap_first_, count - swap_n_));
    if ((changed || swap_dirty_ || model_changed_) && status_.test) {
        swap_dirty_ = false;
        try {
            const ae::ClassSwapGrid g = ae::class_swap_grid(*model_, *status_.test, swap_first_, swap_n_);
            grid_set(swap_grid_, g.images, g.cols);
            swap_note_.clear();
        } catch (const ae::Error& e) {
            swap_note_ = e.what();
        }
    }
    ImGui::TextDisabled("left: test images %d..%d; then each one's code decoded with class", swap_first_,
                        swap_first_ + swap_n_ - 1);
    std::string classes;
    for (int c = 0; c < model_->condition_dim(); ++c)
        classes += (c ? ", " : "") + (c < static_cast<int>(snap_.class_names.size()) ? snap_.class_names[c] : std::to_string(c));
    ImGui::TextDisabled("%s (the code keeps the style)", classes.c_str());
    if (!swap_note_.empty()) ImGui::TextWrapped("%s", swap_note_.c_str());
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float scale = swap_grid_.width > 0 ? std::min(avail.x / swap_grid_.width, avail.y / swap_grid_.height) : 1;
    grid_show(swap_grid_, std::max(1.0f, std::floor(scale)));
}

void App::tab_codes() {
    if (!model_->is_vq()) {
        ImGui::TextWrapped("A view of a vqvae model (van den Oord, Vinyals & Kavukcuoglu 2017): the encoder's output is cut "
                           "into groups, each replaced by the nearest of K codebook entries, so an image's code is a few "
                           "whole numbers. Choose the model type vqvae and press Reset.");
        return;
    }
    const int count = status_.test ? status_.test->count : 1;
    bool changed = false;
    ImGui::PushItemWidth(120);
    if (ImGui::InputInt("test image", &vq_image_)) {
        vq_edits_.clear();
        changed = true;
    }
    ImGui::PopItemWidth();
    ImGui::SameLine();
    if (ImGui::Button("Undo edits")) {
        vq_edits_.clear();
        changed = true;
    }
    vq_image_ = std::max(0, std::min(vq_image_, count - 1));
    if ((changed || vq_dirty_ || model_changed_) && status_.test) {
        vq_dirty_ = false;
        try {  // codebook_views.h: the image's indices, the decodings of its code and of the edited code
            const ae::CodeIndexView v = ae::code_index_view(*model_, test_images({vq_image_}).col(0), vq_edits_);
            ae::Matrix three(v.reconstruction.rows(), 3);
            three << test_images({vq_image_}), v.reconstruction, v.edited;
            grid_set(vq_grid_, three, 3);
            vq_indices_ = v.indices;
            vq_edited_ = v.edited_indices;
            vq_rows_ = v.grid.rows;
            vq_cols_ = v.grid.cols;
            vq_k_ = v.codebook_size;
            vq_cell_ = std::max(0, std::min(vq_cell_, static_cast<int>(vq_edited_.size()) - 1));
            if (!vq_edited_.empty()) vq_entry_ = vq_edited_[static_cast<size_t>(vq_cell_)];  // the field shows the cell's entry
            grid_set(vq_book_grid_, ae::codebook_images(*model_), std::min(vq_k_, 32));
            vq_note_.clear();
        } catch (const ae::Error& e) {
            vq_note_ = e.what();
        }
    }
    if (!vq_note_.empty()) ImGui::TextWrapped("%s", vq_note_.c_str());
    if (!snap_.epochs.empty()) {
        const ae::EpochStats& e = snap_.epochs.back();
        ImGui::TextDisabled("epoch %d: %d of the %d codebook entries used, perplexity %.1f (%d if all were used equally)",
                            e.epoch, static_cast<int>(std::lround(e.code_usage * vq_k_)), vq_k_, e.code_perplexity, vq_k_);
    }
    const int M = static_cast<int>(vq_edited_.size());
    ImGui::TextDisabled("the code: %d cells x log2 %d = %.0f bits; click a cell, then choose its entry", M, vq_k_,
                        M * std::log2(std::max(2, vq_k_)));
    vq_cell_ = std::max(0, std::min(vq_cell_, M - 1));
    for (int g = 0; g < M; ++g) {
        if (g % vq_cols_) ImGui::SameLine();
        const int k = vq_edited_[static_cast<size_t>(g)];
        const ImVec4 c = ImColor::HSV(static_cast<float>(k) / std::max(1, vq_k_), 0.45f, 0.9f);
        ImGui::PushStyleColor(ImGuiCol_Button, c);
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0, 0, 0, 1));
        ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, g == vq_cell_ ? 3.0f : k != vq_indices_[static_cast<size_t>(g)] ? 1.5f : 0.0f);
        char label[32];
        std::snprintf(label, sizeof label, "%d##cell%d", k, g);
        if (ImGui::Button(label, ImVec2(34, 34))) {
            vq_cell_ = g;
            vq_entry_ = k;
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("cell %d: entry %d (the image's own: %d)", g, k, vq_indices_[static_cast<size_t>(g)]);
        ImGui::PopStyleVar();
        ImGui::PopStyleColor(2);
    }
    if (M > 0) {
        ImGui::PushItemWidth(120);
        if (ImGui::InputInt("entry of the selected cell", &vq_entry_)) {
            vq_entry_ = std::max(0, std::min(vq_entry_, vq_k_ - 1));
            bool found = false;
            for (auto& [g, k] : vq_edits_)
                if (g == vq_cell_) {
                    k = vq_entry_;
                    found = true;
                }
            if (!found) vq_edits_.emplace_back(vq_cell_, vq_entry_);
            vq_dirty_ = true;
        }
        ImGui::PopItemWidth();
    }
    ImGui::TextDisabled("test image | decoded from its code | decoded from the edited code");
    grid_show(vq_grid_, 3.0f);
    ImGui::TextDisabled("the codebook: entry k in every cell, decoded; ae sample draws each cell from the code frequencies "
                        "(the simple prior, not PixelCNN)");
    grid_show(vq_book_grid_, 1.0f);
}

void App::tab_prior() {
    bool changed = false;
    if (ImGui::Button("Resample")) {
        ++prior_seed_;
        changed = true;
    }
    ImGui::SameLine();
    // Or the material's "decode with added noise": test image I's code plus N(0, sigma^2 I) (sample_around).
    changed |= ImGui::Checkbox("around test image", &prior_around_);
    if (prior_around_) {
        ImGui::SameLine();
        ImGui::PushItemWidth(110);
        changed |= ImGui::InputInt("##around", &prior_image_);
        ImGui::SameLine();
        changed |= ImGui::SliderFloat("noise sigma", &prior_sigma_, 0.0f, 100.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
        ImGui::PopItemWidth();
    }
    ImGui::TextDisabled("z ~ %s, decoded (seed %d)", prior_note_.c_str(), prior_seed_);
    if ((changed || prior_dirty_ || model_changed_) && status_.train) {
        prior_dirty_ = false;
        try {  // sampling.h: the prior (VAE) or a Gaussian fitted to training codes; Rng(seed, kSampleStream)
            const int count = status_.test ? status_.test->count : 0;
            prior_image_ = std::max(0, std::min(prior_image_, count - 1));
            const ae::SampleSet smp =
                prior_around_ && status_.test
                    ? ae::sample_around(*model_, ae::dataset_images(*status_.test, prior_image_, 1).col(0), 32,
                                        prior_sigma_, uint64_t(prior_seed_))
                    : ae::sample_model(*model_, status_.train.get(), ae::SampleOptions{32, uint64_t(prior_seed_)});
            prior_note_ = smp.description;
            grid_set(prior_grid_, smp.images, 16);
        } catch (const ae::Error& e) {
            prior_note_ = e.what();
        }
    }
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float scale = prior_grid_.width > 0 ? std::min(avail.x / prior_grid_.width, avail.y / prior_grid_.height) : 1;
    grid_show(prior_grid_, std::max(1.0f, std::floor(scale)));
}

// traversal.h: each row one latent dimension over its range, the others at test image I's code; below, the
// histogram of each latent variable over the test codes (mu for a VAE).
void App::tab_traversals() {
    const int count = status_.test ? status_.test->count : 1;
    bool changed = false;
    ImGui::PushItemWidth(120);
    changed |= ImGui::InputInt("test image", &traversal_image_);
    ImGui::SameLine();
    changed |= ImGui::SliderInt("steps", &traversal_steps_, 3, 16);
    ImGui::SameLine();
    changed |= ImGui::SliderInt("rows", &traversal_rows_, 1, 16);
    ImGui::PopItemWidth();
    traversal_image_ = std::max(0, std::min(traversal_image_, count - 1));
    if ((changed || traversal_dirty_ || model_changed_) && status_.test) {
        traversal_dirty_ = false;
        try {
            const ae::Matrix& codes = snap_.test_codes;  // the published test codes, as the map's
            ae::TraversalOptions o;
            o.steps = traversal_steps_;
            o.max_dims = traversal_rows_;
            const ae::Traversal t =
                ae::latent_traversal(*model_, ae::dataset_images(*status_.test, traversal_image_, 1).col(0), codes, o);
            grid_set(traversal_grid_, t.images, t.steps);
            std::string note = "rows (top to bottom):";
            for (size_t r = 0; r < t.dims.size(); ++r) {
                char buf[64];
                std::snprintf(buf, sizeof buf, " z%d [%.2g, %.2g]", t.dims[r] + 1, t.lo[r], t.hi[r]);
                note += buf;
            }
            traversal_note_ = note + " (" + t.range_source + ")";
            histograms_ = ae::latent_histograms(codes, 30);
            histogram_counts_.clear();  // as floats for ImGui::PlotHistogram, converted once here
            for (const ae::LatentHistogram& h : histograms_) histogram_counts_.emplace_back(h.counts.begin(), h.counts.end());
            histogram_codes_ = static_cast<int>(codes.cols());
            tool_error_.clear();
        } catch (const ae::Error& e) {
            tool_error_ = e.what();
        }
    }
    ImGui::TextWrapped("%s", traversal_note_.c_str());
    if (!tool_error_.empty()) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", tool_error_.c_str());
    // The traversal on the left, the histograms (3 per row) beside it.
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float scale = traversal_grid_.width > 0
                            ? std::min(0.55f * avail.x / traversal_grid_.width, avail.y / traversal_grid_.height)
                            : 1.0f;
    grid_show(traversal_grid_, std::max(1.0f, std::floor(scale * 4) / 4));
    ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::TextDisabled("histograms over %d test codes%s", histogram_codes_,
                        model_->is_vae() ? " (mu; the prior is N(0, 1))" : "");
    const float w = std::max(60.0f, (ImGui::GetContentRegionAvail().x - 16) / 3);
    const size_t shown = std::min<size_t>(histograms_.size(), 15);
    for (size_t d = 0; d < shown; ++d) {
        const ae::LatentHistogram& h = histograms_[d];
        const std::vector<float>& counts = histogram_counts_[d];
        if (d % 3) ImGui::SameLine();
        ImGui::BeginGroup();
        ImGui::TextDisabled("z%zu mean %.2f sd %.2f", d + 1, h.mean, h.sd);
        ImGui::PushID(static_cast<int>(d));
        ImGui::PlotHistogram("##h", counts.data(), static_cast<int>(counts.size()), 0, nullptr, 0.0f, FLT_MAX,
                             ImVec2(w, 32));
        ImGui::PopID();
        ImGui::EndGroup();
    }
    if (histograms_.size() > shown) ImGui::TextDisabled("(the first %zu of %zu dimensions)", shown, histograms_.size());
    ImGui::EndGroup();
}

// retrieval.h: a test image's (or the drawing's) k nearest among the published test codes' images, by code
// distance (row 1) and by pixel distance (row 2), each with its precision@k by class; below, the mean
// precision@k of 500 of them (spread over them) as queries.
void App::tab_neighbors() {
    const int m = static_cast<int>(snap_.test_codes.cols());
    bool changed = false;
    ImGui::PushItemWidth(120);
    changed |= ImGui::InputInt("test image", &nn_image_);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("the drawing instead", &nn_drawn_);
    ImGui::SameLine();
    const int k_max = std::max(1, std::min(32, m - 1));  // below the number of test images (a small IDX set)
    changed |= ImGui::SliderInt("k", &nn_k_, 1, k_max);
    nn_k_ = std::min(nn_k_, k_max);
    ImGui::SameLine();
    changed |= ImGui::Combo("distance", &nn_metric_, "Euclidean\0cosine\0");
    ImGui::PopItemWidth();
    nn_image_ = std::max(0, std::min(nn_image_, std::max(0, m - 1)));
    if ((changed || nn_dirty_ || model_changed_) && status_.test && m > nn_k_) {
        nn_dirty_ = false;
        try {
            if (nn_pixels_.cols() != m) nn_pixels_ = ae::dataset_images(*status_.test, 0, m);
            const ae::Distance metric = nn_metric_ == 1 ? ae::Distance::cosine : ae::Distance::euclidean;
            const ae::Vector q = nn_drawn_ ? ae::Vector(Eigen::Map<const ae::Vector>(drawing_.data(), nn_pixels_.rows()))
                                           : ae::Vector(nn_pixels_.col(nn_image_));
            const int query_label = nn_drawn_ ? -1 : snap_.test_labels[nn_image_];
            const ae::NeighborComparison r =
                ae::compare_neighbors(snap_.test_codes, nn_pixels_, snap_.test_labels,
                                      model_->encode(q, nullptr, query_label >= 0 ? &query_label : nullptr).col(0), q, nn_k_,
                                      metric, nn_drawn_ ? -1 : nn_image_, query_label);
            ae::Matrix grid(q.size(), 2 * (nn_k_ + 1));
            auto name = [&](int label) {
                return label < static_cast<int>(snap_.class_names.size()) ? snap_.class_names[label] : std::to_string(label);
            };
            for (int row = 0; row < 2; ++row) {
                const ae::Neighbors& nn = row == 0 ? r.by_code : r.by_pixels;
                grid.col(row * (nn_k_ + 1)) = q;
                std::map<int, int> classes;
                for (int i = 0; i < nn_k_; ++i) {
                    grid.col(row * (nn_k_ + 1) + 1 + i) = nn_pixels_.col(nn.indices[i]);
                    ++classes[snap_.test_labels[nn.indices[i]]];
                }
                char buf[96];
                const double p = row == 0 ? r.code_precision : r.pixel_precision;
                if (p >= 0) std::snprintf(buf, sizeof buf, "precision@%d %.3f:", nn_k_, p);
                else std::snprintf(buf, sizeof buf, "(a drawing has no class):");
                std::string note = std::string(row == 0 ? "by code (row 1) " : "by pixels (row 2) ") + buf;
                for (const auto& [label, n] : classes) note += " " + name(label) + " x" + std::to_string(n);
                (row == 0 ? nn_code_note_ : nn_pixel_note_) = note;
            }
            grid_set(nn_grid_, grid, nn_k_ + 1);
            nn_note_ = (nn_drawn_ ? std::string("the drawing") : "test image " + std::to_string(nn_image_) + " (" +
                                                                     name(query_label) + ")") +
                       ": its " + std::to_string(nn_k_) + " nearest of " + std::to_string(nn_drawn_ ? m : m - 1) +
                       " test images, " + ae::distance_name(metric) + " distance (left: the query)";
            const int queries = std::min(500, m);
            const auto key = std::make_pair(nn_k_, nn_metric_);
            if (!nn_pixel_mean_.count(key))
                nn_pixel_mean_[key] = ae::retrieval_precision_at_k(nn_pixels_, snap_.test_labels, nn_k_, metric, queries);
            char buf[200];
            std::snprintf(buf, sizeof buf,
                          "mean precision@%d of %d of the %d test images as queries (chance about %.2f): by code "
                          "%.3f, by pixels %.3f",
                          nn_k_, queries, m, 1.0 / std::max<size_t>(1, snap_.class_names.size()),
                          ae::retrieval_precision_at_k(snap_.test_codes, snap_.test_labels, nn_k_, metric, queries),
                          nn_pixel_mean_[key]);
            nn_mean_note_ = buf;
            tool_error_.clear();
        } catch (const ae::Error& e) {
            tool_error_ = e.what();
        }
    }
    ImGui::TextWrapped("%s", nn_note_.c_str());
    ImGui::TextWrapped("%s", nn_code_note_.c_str());
    ImGui::TextWrapped("%s", nn_pixel_note_.c_str());
    ImGui::TextDisabled("%s", nn_mean_note_.c_str());
    if (!tool_error_.empty()) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", tool_error_.c_str());
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float scale = nn_grid_.width > 0 ? std::min(avail.x / nn_grid_.width, avail.y / nn_grid_.height) : 1.0f;
    grid_show(nn_grid_, std::max(1.0f, std::floor(scale)));
}

// retrieval.h, a hashing model's view (semantic hashing, Salakhutdinov & Hinton 2009): a test image's (or the
// drawing's) code bits (code > 0.5), the test images in its Hamming ball of radius r among the published test codes
// (nearest first; frame green: the query's class, red: another; the number: the distance in bits), its precision
// and recall, the mean over every one of them as a query, the binariness of their codes, and the bits of 40 of them
// grouped by class as an image. Every number is the core's.
void App::tab_hashing() {
    if (!model_hashing_) {
        ImGui::TextWrapped("A view of a hashing model: its sigmoid code units get Gaussian noise before the sigmoid while "
                           "training, so they saturate and the code thresholded at 0.5 is a binary address. Choose "
                           "model type \"hashing\" in the controls (or start with --model hashing) and Apply.");
        return;
    }
    const int m = static_cast<int>(snap_.test_codes.cols()), k = static_cast<int>(snap_.test_codes.rows());
    constexpr int kShown = 24, kPerRow = 12, kImageRows = 40;
    bool changed = false;
    ImGui::PushItemWidth(120);
    changed |= ImGui::InputInt("test image", &hash_image_);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("the drawing instead", &hash_drawn_);
    ImGui::SameLine();
    changed |= ImGui::SliderInt("radius r (bits)", &hash_radius_, 0, std::max(0, k));
    ImGui::PopItemWidth();
    hash_image_ = std::max(0, std::min(hash_image_, std::max(0, m - 1)));
    hash_radius_ = std::max(0, std::min(hash_radius_, k));
    auto name = [&](int label) {
        return label >= 0 && label < static_cast<int>(snap_.class_names.size()) ? snap_.class_names[label]
                                                                                  : std::to_string(label);
    };
    if ((changed || hash_dirty_ || model_changed_) && status_.test && model_ && m >= 2) {
        hash_dirty_ = false;
        try {
            if (nn_pixels_.cols() != m) nn_pixels_ = ae::dataset_images(*status_.test, 0, m);  // shared with Neighbours
            const ae::BinaryCodes bits = ae::binarize_codes(snap_.test_codes);
            const int D = static_cast<int>(nn_pixels_.rows());
            const ae::Vector x = hash_drawn_ ? ae::Vector(Eigen::Map<const ae::Vector>(drawing_.data(), D))
                                             : ae::Vector(nn_pixels_.col(hash_image_));
            // A test image's query is its published code (its row of the bits image); the drawing is encoded.
            const ae::Vector q = hash_drawn_ ? ae::Vector(model_->encode(x).col(0)) : ae::Vector(snap_.test_codes.col(hash_image_));
            const int label = hash_drawn_ ? -1 : snap_.test_labels[hash_image_];
            const int exclude = hash_drawn_ ? -1 : hash_image_;
            hash_ball_ = ae::hamming_ball(bits, snap_.test_labels, q, hash_radius_, exclude, label);
            grid_set(hash_query_grid_, x, 1);
            // The bits as a row of 6 x 6 cells (a white rim, so that they stand out on the dark window), black = 1.
            ae::Matrix cells = ae::Matrix::Ones(36, k);
            for (int j = 0; j < k; ++j)
                for (int y = 1; y < 5; ++y) cells.col(j).segment(6 * y + 1, 4).setConstant(hash_ball_.query_bits[j] ? 0.0f : 0.75f);
            grid_set(hash_bits_grid_, cells, k, 6, 6);
            const int n = static_cast<int>(hash_ball_.indices.size()), shown = std::min(n, kShown);
            if (shown > 0) {
                grid_set(hash_ball_grid_, test_images(std::vector<int>(hash_ball_.indices.begin(),
                                                                       hash_ball_.indices.begin() + shown)),
                         kPerRow);
            } else {
                hash_ball_grid_.width = 0;
            }
            hash_bits_image_ = ae::code_bits_image(bits, snap_.test_labels, kImageRows);
            ae::Matrix image(hash_bits_image_.rows * k, 1);
            for (Eigen::Index i = 0; i < image.rows(); ++i) image(i, 0) = hash_bits_image_.bits[static_cast<size_t>(i)] ? 0.0f : 0.93f;
            grid_set(hash_image_grid_, image, 1, hash_bits_image_.rows, k);

            std::string bit_text;
            for (int j = 0; j < k; ++j) bit_text += (j && j % 8 == 0 ? " " : "") + std::string(hash_ball_.query_bits[j] ? "1" : "0");
            hash_note_ = (hash_drawn_ ? std::string("the drawing") : "test image " + std::to_string(hash_image_) + " (" +
                                                                          name(label) + ")") +
                         ": its " + std::to_string(k) + " code bits (code > 0.5; black = 1): " + bit_text;
            char buf[320];
            const int pool = hash_drawn_ ? m : m - 1;
            if (label < 0)
                std::snprintf(buf, sizeof buf, "a drawing has no class: no precision or recall");
            else if (n == 0)
                std::snprintf(buf, sizeof buf, "empty ball: precision undefined, recall 0 (of the %d other %s images)",
                              hash_ball_.relevant, name(label).c_str());
            else
                std::snprintf(buf, sizeof buf, "precision %.3f (%d of %d of class %s), recall %.3f (%d of the %d other %s images)",
                              hash_ball_.precision, hash_ball_.same, n, name(label).c_str(), hash_ball_.recall,
                              hash_ball_.same, hash_ball_.relevant, name(label).c_str());
            hash_ball_note_ = "Hamming ball of radius " + std::to_string(hash_radius_) + ": " + std::to_string(n) + " of " +
                              std::to_string(pool) + " test images" +
                              (n > shown ? " (the nearest " + std::to_string(shown) + " shown)" : "") + "; " + buf;
            const ae::HammingRetrieval r = ae::hamming_retrieval(bits, snap_.test_labels, hash_radius_, m);
            std::snprintf(buf, sizeof buf,
                          "mean over all %d test images as queries at radius %d (chance about %.2f): precision %.3f over "
                          "the %d non-empty balls, recall %.3f, %.1f images per ball, %d empty balls; binariness of the "
                          "codes %.3f (fraction of code units within 0.1 of 0 or 1)",
                          r.queries, hash_radius_, 1.0 / std::max<size_t>(1, snap_.class_names.size()), r.precision,
                          r.queries - r.empty_queries, r.recall, r.mean_ball_size, r.empty_queries,
                          ae::code_binariness(snap_.test_codes));
            hash_mean_note_ = buf;
            tool_error_.clear();
        } catch (const ae::Error& e) {
            tool_error_ = e.what();
        }
    }
    ImGui::TextWrapped("%s", hash_note_.c_str());
    if (!tool_error_.empty()) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", tool_error_.c_str());
    // Left: the query, its bits, its ball and the means; right: the bits image.
    const float scale = 2.0f, left_w = kPerRow * (snap_.image_cols + 1) * scale + 8;
    const float top = ImGui::GetCursorPosY(), avail_h = ImGui::GetContentRegionAvail().y;
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + left_w);
    grid_show(hash_query_grid_, scale);
    ImGui::SameLine();
    grid_show(hash_bits_grid_, 2.0f);
    ImGui::TextWrapped("%s", hash_ball_note_.c_str());
    // The ball's images, each framed green (the query's class) or red (another), its distance in bits at the corner.
    const int hovered = grid_show(hash_ball_grid_, scale);
    if (hash_ball_grid_.width > 0) {
        const ImVec2 p0 = ImGui::GetItemRectMin();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const int shown = std::min<int>(kShown, static_cast<int>(hash_ball_.indices.size()));
        const int query_label = hash_drawn_ ? -1 : snap_.test_labels[hash_image_];
        for (int t = 0; t < shown; ++t) {
            const float x0 = p0.x + (t % kPerRow) * hash_ball_grid_.cell_w * scale;
            const float y0 = p0.y + (t / kPerRow) * hash_ball_grid_.cell_h * scale;
            const float w = (hash_ball_grid_.cell_w - 1) * scale, h = (hash_ball_grid_.cell_h - 1) * scale;
            if (query_label >= 0) {
                const bool same = snap_.test_labels[hash_ball_.indices[t]] == query_label;
                dl->AddRect(ImVec2(x0, y0), ImVec2(x0 + w, y0 + h), same ? IM_COL32(40, 170, 80, 255) : IM_COL32(220, 50, 40, 255),
                            0.0f, 0, 2.0f);
            }
            dl->AddText(ImVec2(x0 + 3, y0 + 1), IM_COL32(255, 230, 60, 255), std::to_string(hash_ball_.distances[t]).c_str());
        }
        if (hovered >= 0 && hovered < shown) {
            const int j = hash_ball_.indices[hovered];
            ImGui::SetTooltip("#%d %s, %d bits away (click to query it)", j, name(snap_.test_labels[j]).c_str(),
                              hash_ball_.distances[hovered]);
            if (ImGui::IsItemClicked()) hash_image_ = j, hash_drawn_ = false, hash_dirty_ = true;
        }
    }
    ImGui::TextDisabled("%s", hash_mean_note_.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    // The bits image: rows = test images grouped by class (names at the right), columns = bits, black = 1.
    ImGui::SameLine();
    ImGui::SetCursorPosY(top);
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 420);
    ImGui::TextDisabled("the %d bits (columns, black = 1) of %d of the %d test images (rows), spread over them and "
                        "grouped by class", k, hash_bits_image_.rows, m);
    ImGui::PopTextWrapPos();
    const float rows = static_cast<float>(std::max(1, hash_bits_image_.rows));
    const float image_scale =
        std::max(2.0f, std::floor(std::min({8.0f, 320.0f / std::max(1, k), (avail_h - 40.0f) / rows})));
    grid_show(hash_image_grid_, image_scale);
    if (hash_image_grid_.width > 0) {
        const ImVec2 p0 = ImGui::GetItemRectMin(), p1 = ImGui::GetItemRectMax();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddRect(ImVec2(p0.x - 1, p0.y - 1), ImVec2(p1.x + 1, p1.y + 1), IM_COL32(200, 200, 200, 255));
        const std::vector<uint8_t>& labels = hash_bits_image_.labels;
        float next_text_y = p0.y;  // a class of few rows: its name goes below the previous one, not over it
        for (int r = 0; r < hash_bits_image_.rows; ++r) {
            if (r > 0 && labels[r] == labels[r - 1]) continue;
            int n = 1;
            while (r + n < hash_bits_image_.rows && labels[r + n] == labels[r]) ++n;
            const float y = p0.y + r * image_scale;
            dl->AddRectFilled(ImVec2(p1.x + 2, y), ImVec2(p1.x + 8, y + n * image_scale - 1), class_imcolor(labels[r]));
            const float text_y = std::max(next_text_y, y + 0.5f * (n * image_scale - ImGui::GetFontSize()));
            dl->AddText(ImVec2(p1.x + 12, text_y), class_imcolor(labels[r]), name(labels[r]).c_str());
            next_text_y = text_y + ImGui::GetFontSize();
        }
    }
    ImGui::EndGroup();
}

// arithmetic.h: test image I's code plus s (mean(to) - mean(from)) over the published test codes, a strip of
// strengths -1..2 and one at the slider's s (row 1); the analogy z(I) - z(B) + z(C) after the reconstructions
// of I, B, C (row 2).
void App::tab_arithmetic() {
    const int m = static_cast<int>(snap_.test_codes.cols());
    const int classes = static_cast<int>(snap_.class_names.size());
    if (classes < 1 || m < 1 || !status_.test) return;
    auto name = [&](int c) { return c >= 0 && c < classes ? snap_.class_names[c].c_str() : "?"; };
    bool changed = false;
    ImGui::PushItemWidth(120);
    changed |= ImGui::InputInt("test image", &arith_image_);
    ImGui::SameLine();
    if (ImGui::BeginCombo("to (mean of)", name(arith_to_))) {
        for (int c = 0; c < classes; ++c)
            if (ImGui::Selectable(name(c), c == arith_to_)) arith_to_ = c, changed = true;
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::BeginCombo("minus (mean of)", arith_from_ < 0 ? "the image's class" : name(arith_from_))) {
        if (ImGui::Selectable("the image's class", arith_from_ < 0)) arith_from_ = -1, changed = true;
        for (int c = 0; c < classes; ++c)
            if (ImGui::Selectable(name(c), c == arith_from_)) arith_from_ = c, changed = true;
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    changed |= ImGui::SliderFloat("s", &arith_s_, -2.0f, 3.0f, "%.1f");
    changed |= ImGui::InputInt("analogy: B", &arith_b_);
    ImGui::SameLine();
    changed |= ImGui::InputInt("C", &arith_c_);
    ImGui::PopItemWidth();
    const int count = status_.test->count;
    for (int* i : {&arith_image_, &arith_b_, &arith_c_}) *i = std::max(0, std::min(*i, count - 1));
    arith_to_ = std::min(arith_to_, classes - 1);
    if (changed || arith_dirty_ || model_changed_) {
        arith_dirty_ = false;
        try {
            const int image_class = status_.test->labels[arith_image_];
            const int from = arith_from_ < 0 ? image_class : arith_from_;
            const ae::ClassMeans means = ae::class_mean_codes(snap_.test_codes, snap_.test_labels, classes);
            std::vector<double> strengths = ae::strength_range(-1.0, 2.0, 7);
            strengths.push_back(arith_s_);
            const ae::Matrix x = test_images({arith_image_, arith_b_, arith_c_});
            const ae::ArithmeticStrip st =
                ae::attribute_strip(*model_, x.col(0), ae::attribute_vector(means, from, arith_to_), strengths);
            const ae::Analogy an = ae::latent_analogy(*model_, x.col(0), x.col(1), x.col(2));
            ae::Matrix grid = ae::Matrix::Zero(x.rows(), 16);  // 8 per row: the strip and s, the analogy
            grid.leftCols(8) = st.images;
            grid.middleCols(8, 4) = an.images;
            grid_set(arith_grid_, grid, 8);
            char buf[320];
            std::snprintf(buf, sizeof buf,
                          "row 1: test image %d (%s) + s (mean(%s) - mean(%s)), s = -1, -0.5, 0 (its reconstruction), "
                          "0.5, 1, 1.5, 2, then s = %.1f; class means over %d test codes. Row 2: the reconstructions of "
                          "A = %d (%s), B = %d (%s), C = %d (%s), then z(A) - z(B) + z(C) decoded.",
                          arith_image_, name(image_class), name(arith_to_), name(from), arith_s_, m, arith_image_,
                          name(image_class), arith_b_, name(status_.test->labels[arith_b_]), arith_c_,
                          name(status_.test->labels[arith_c_]));
            arith_note_ = buf;
            tool_error_.clear();
        } catch (const ae::Error& e) {
            tool_error_ = e.what();
        }
    }
    ImGui::TextWrapped("%s", arith_note_.c_str());
    if (!tool_error_.empty()) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", tool_error_.c_str());
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float scale = arith_grid_.width > 0 ? std::min(avail.x / arith_grid_.width, avail.y / arith_grid_.height) : 1.0f;
    grid_show(arith_grid_, std::max(1.0f, std::floor(scale)));
}

// embedding.h: n published test images (spread evenly over them) mapped to 2-D four ways (PCA and t-SNE of the pixels and of
// the codes), each with its 5-NN accuracy; computed on a thread of its own on "Compare" (and by itself once
// when the tab opens with training stopped, as in a scripted run).
void App::tab_projections() {
    const int m = static_cast<int>(snap_.test_codes.cols());
    if (!status_.test || m < 2) return;
    const bool computing = compare_future_.valid();
    ImGui::PushItemWidth(120);
    ImGui::SliderInt("images", &compare_n_, 100, std::max(100, m));
    ImGui::PopItemWidth();
    ImGui::SameLine();
    ImGui::BeginDisabled(computing);
    const bool clicked = ImGui::Button("Compare");
    ImGui::EndDisabled();
    const bool start = !computing && (clicked || (compare_views_.empty() && compare_error_.empty() &&
                                                  !status_.running && snap_.step > 0));
    if (start) {
        const std::vector<int> idx = ae::spread_indices(m, compare_n_);  // every class, also in MNIST's sorted split
        ae::Matrix pixels = ae::select_columns(ae::dataset_images(*status_.test, 0, m), idx);
        ae::Matrix codes = ae::select_columns(snap_.test_codes, idx);
        compare_labels_ = ae::select_labels(snap_.test_labels, idx);
        compare_step_ = snap_.step;
        compare_t0_ = now_seconds();
        compare_error_.clear();
        ae::TsneOptions o;
        o.iterations = 500;
        compare_future_ = std::async(std::launch::async, [pixels = std::move(pixels), codes = std::move(codes),
                                                          labels = compare_labels_, o] {
            return ae::compare_embeddings(pixels, codes, labels, o);
        });
    }
    if (compare_future_.valid()) {
        if (compare_future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
            try {
                compare_views_ = compare_future_.get();
                compare_seconds_ = now_seconds() - compare_t0_;
            } catch (const ae::Error& e) {
                compare_error_ = e.what();
                compare_future_ = {};
            }
        } else {
            ImGui::SameLine();
            ImGui::TextDisabled("mapping %d images four ways (two t-SNE runs of 500 iterations) ...",
                                static_cast<int>(compare_labels_.size()));
        }
    }
    if (!compare_error_.empty()) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", compare_error_.c_str());
    if (compare_views_.empty()) return;
    ImGui::TextDisabled("%zu test images at step %lld, %.1f s; 5-NN: the even-indexed points classify the odd-indexed "
                        "ones in each map", compare_labels_.size(), static_cast<long long>(compare_step_),
                        compare_seconds_);
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float w = std::max(120.0f, (avail.x - 3 * 8) / 4), h = std::max(120.0f, avail.y - 40);
    for (size_t v = 0; v < compare_views_.size(); ++v) {
        const ae::EmbeddingView& e = compare_views_[v];
        if (v) ImGui::SameLine();
        ImGui::BeginGroup();
        ImGui::TextUnformatted(e.title.c_str());
        if (e.kl >= 0) ImGui::TextDisabled("5-NN %.3f, KL %.2f", e.knn_accuracy, e.kl);
        else ImGui::TextDisabled("5-NN %.3f, %.0f%% of the variance", e.knn_accuracy, 100 * e.explained);
        const ImVec2 p0 = ImGui::GetCursorScreenPos();
        ImGui::Dummy(ImVec2(w, h));
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddRectFilled(p0, ImVec2(p0.x + w, p0.y + h), IM_COL32(255, 255, 255, 255));
        const Eigen::Vector2f lo = e.points.rowwise().minCoeff(), hi = e.points.rowwise().maxCoeff();
        const float sx = (w - 8) / std::max(1e-9f, hi(0) - lo(0)), sy = (h - 8) / std::max(1e-9f, hi(1) - lo(1));
        for (Eigen::Index i = 0; i < e.points.cols(); ++i) {
            const float x = p0.x + 4 + (e.points(0, i) - lo(0)) * sx, y = p0.y + h - 4 - (e.points(1, i) - lo(1)) * sy;
            dl->AddRectFilled(ImVec2(x - 1, y - 1), ImVec2(x + 1.5f, y + 1.5f), class_imcolor(compare_labels_[i]));
        }
        ImGui::EndGroup();
    }
}

// Two model types trained side by side on a 2-D toy set by FieldRunner (apart from the session): the test
// points by class, the arrows x -> r(x) on a 24 x 24 grid of [0, 1]² (shaders/segments.*), the points'
// reconstructions as black dots, and each field's alignment with the data (vector_field.h). Opening the tab
// the first time starts it; changing the data or a type restarts it.
void App::tab_field() {
    const std::vector<std::string>& sets = ae::toy_dataset_names();
    const std::vector<std::string>& types = ae::model_types();
    auto combo = [](const char* label, int* index, const std::vector<std::string>& items) {
        bool changed = false;
        ImGui::PushItemWidth(130);
        if (ImGui::BeginCombo(label, items[static_cast<size_t>(*index)].c_str())) {
            for (int i = 0; i < static_cast<int>(items.size()); ++i)
                if (ImGui::Selectable(items[static_cast<size_t>(i)].c_str(), i == *index)) {
                    changed |= i != *index;
                    *index = i;
                }
            ImGui::EndCombo();
        }
        ImGui::PopItemWidth();
        return changed;
    };
    bool restart = !field_started_;
    for (auto [label, index, items] : {std::make_tuple("data", &field_data_, &sets),
                                       std::make_tuple("left", &field_types_[0], &types),
                                       std::make_tuple("right", &field_types_[1], &types)}) {
        ImGui::TextUnformatted(label);
        ImGui::SameLine();
        restart |= combo((std::string("##field-") + label).c_str(), index, *items);
        ImGui::SameLine();
    }
    if (field_.running()) {
        if (ImGui::Button("Stop##field")) field_.stop();
    } else if (ImGui::Button("Train both##field")) {
        restart = true;
    }
    if (restart) {
        field_started_ = true;
        field_.start(sets[static_cast<size_t>(field_data_)],
                     {types[static_cast<size_t>(field_types_[0])], types[static_cast<size_t>(field_types_[1])]}, 0.5f);
    }
    const bool fresh = field_.poll(field_state_);
    const FieldRunner::State& s = field_state_;
    if (!s.error.empty()) {
        ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", s.error.c_str());
        return;
    }
    if (s.models.empty()) return;
    ImGui::TextDisabled("%s: step %lld / %lld%s. Grey arrows: x -> x + (r(x) - x) / 2 on a 24 x 24 grid (half length);",
                        s.data.c_str(), static_cast<long long>(s.steps), static_cast<long long>(s.total_steps),
                        s.done ? ", done" : "");
    ImGui::TextDisabled("black dots: the test points' reconstructions; alignment: the mean cosine of r(x) - x with the "
                        "direction to the nearest test point");
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float side = std::max(120.0f, std::min((avail.x - 8) / 2, avail.y - 50));
    const std::array<float, 48> pal = palette();
    for (size_t i = 0; i < s.models.size() && i < 2; ++i) {
        const FieldRunner::Model& m = s.models[i];
        if (fresh || field_canvas_[i].width() != static_cast<int>(side)) {
            const ae::FieldView& v = m.view;
            std::vector<float> xy(v.points.data(), v.points.data() + v.points.size()), cls;
            for (uint8_t l : v.labels) cls.push_back(static_cast<float>(std::min<int>(l, 14)));
            field_canvas_[i].begin(static_cast<int>(side), static_cast<int>(side), {1, 1, 1, 1});
            segments_program_.upload({0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0});  // the unit square
            segments_program_.draw(0.5f, 0.5f, 1.9f, 1.9f, {0.75f, 0.75f, 0.75f, 1});
            field_points_.upload(xy, cls);
            field_points_.draw(0.5f, 0.5f, 1.9f, 1.9f, 5.0f, pal, -1, 0.45f);
            segments_program_.upload(v.arrows);
            segments_program_.draw(0.5f, 0.5f, 1.9f, 1.9f, {0.2f, 0.2f, 0.2f, 0.9f});
            std::vector<float> rxy(v.reconstructions.data(), v.reconstructions.data() + v.reconstructions.size());
            field_points_.upload(rxy, std::vector<float>(rxy.size() / 2, 15.0f));
            field_points_.draw(0.5f, 0.5f, 1.9f, 1.9f, 2.5f, pal, -1, 0.9f);
            field_canvas_[i].end();
        }
        if (i) ImGui::SameLine();
        ImGui::BeginGroup();
        ImGui::Text("%s: alignment %.3f (%d grid points), loss %.5f", m.type.c_str(), m.view.alignment.mean_cosine,
                    m.view.alignment.points, m.loss);
        ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(field_canvas_[i].texture())),
                     ImVec2(side, side), ImVec2(0, 1), ImVec2(1, 0));
        if (m.diverged) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", m.message.c_str());
        ImGui::EndGroup();
    }
}

void App::tab_interpolation() {
    const int count = status_.test ? status_.test->count : 1;
    bool changed = false;
    ImGui::PushItemWidth(120);
    changed |= ImGui::InputInt("A (test index)", &interp_a_);
    ImGui::SameLine();
    changed |= ImGui::InputInt("B", &interp_b_);
    ImGui::SameLine();
    changed |= ImGui::SliderInt("steps", &interp_steps_, 3, 16);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("slerp", &interp_slerp_);
    ImGui::PopItemWidth();
    interp_a_ = std::clamp(interp_a_, 0, count - 1);
    interp_b_ = std::clamp(interp_b_, 0, count - 1);
    ImGui::TextDisabled("top: decoded along the latent path (lerp or slerp); bottom: the pixel blend. Pick A/B on the map.");
    if (changed || interp_dirty_ || model_changed_) {
        interp_dirty_ = false;
        const ae::Matrix x = test_images({interp_a_, interp_b_});
        const int n = interp_steps_;
        try {
            const ae::InterpolationStrip st = ae::interpolation_strip(
                *model_, x.col(0), x.col(1), n, interp_slerp_ ? ae::InterpolationMode::slerp : ae::InterpolationMode::lerp);
            ae::Matrix both(x.rows(), 2 * n);
            both << st.decoded, st.blend;
            grid_set(interp_grid_, both, n);
            interp_error_.clear();
        } catch (const ae::Error& e) {
            interp_error_ = e.what();
        }
    }
    if (!interp_error_.empty()) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", interp_error_.c_str());
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float scale = interp_grid_.width > 0 ? std::min(avail.x / interp_grid_.width, avail.y / interp_grid_.height) : 1;
    grid_show(interp_grid_, std::max(1.0f, std::floor(scale)));
}

void App::tab_draw() {
    const int rows = snap_.image_rows, cols = snap_.image_cols;
    if (static_cast<int>(drawing_.size()) != rows * cols) drawing_.assign(static_cast<size_t>(rows * cols), 0.0f);
    if (ImGui::Button("Clear")) {
        std::fill(drawing_.begin(), drawing_.end(), 0.0f);
        drawing_dirty_ = true;
    }
    ImGui::SameLine();
    ImGui::TextDisabled("left mouse: draw, right: erase. Its code is the black point on the latent map.");
    const float scale = 8.0f;
    drawing_texture_.upload(drawing_.data(), cols, rows);
    drawing_canvas_.begin(static_cast<int>(cols * scale), static_cast<int>(rows * scale), {1, 1, 1, 1});
    image_program_.draw(drawing_texture_.id(), -1, -1, 1, 1, false);
    drawing_canvas_.end();
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(drawing_canvas_.texture())),
                 ImVec2(cols * scale, rows * scale), ImVec2(0, 1), ImVec2(1, 0));
    if (ImGui::IsItemHovered() && (ImGui::IsMouseDown(0) || ImGui::IsMouseDown(1))) {
        const ImVec2 p0 = ImGui::GetItemRectMin(), m = ImGui::GetMousePos();
        const float fx = (m.x - p0.x) / scale, fy = (m.y - p0.y) / scale;
        const bool erase = ImGui::IsMouseDown(1);
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x) {
                const float d2 = (x + 0.5f - fx) * (x + 0.5f - fx) + (y + 0.5f - fy) * (y + 0.5f - fy);
                const float ink = std::exp(-d2 / 1.2f);  // a soft pen, about 2 px wide
                float& v = drawing_[static_cast<size_t>(y) * cols + x];
                v = erase ? std::max(0.0f, v - ink) : std::min(1.0f, v + ink);
            }
        drawing_dirty_ = true;
    }
    ImGui::SameLine();
    ImGui::BeginGroup();
    if (!drawing_code_.empty()) {
        std::string code = "code:";
        for (size_t d = 0; d < drawing_code_.size() && d < 8; ++d) code += " " + std::to_string(drawing_code_[d]).substr(0, 6);
        ImGui::TextUnformatted(code.c_str());
        grid_show(draw_recon_grid_, scale);
        ImGui::TextDisabled("drawing | its reconstruction");
    }
    ImGui::EndGroup();
}

void App::tab_denoise() {
    static const char* kinds[] = {"gaussian noise (sigma)", "salt and pepper (rate)", "masking (rate)",
                                  "block in-filling (side / image side)"};
    static const ae::Corruption corruptions[] = {ae::Corruption::gaussian, ae::Corruption::salt_pepper,
                                                 ae::Corruption::masking, ae::Corruption::block};
    bool changed = false;
    const int count = status_.test ? status_.test->count : 1;
    ImGui::PushItemWidth(200);
    changed |= ImGui::Combo("corruption", &denoise_kind_, kinds, 4);
    ImGui::SameLine();
    changed |= ImGui::SliderFloat("level", &denoise_level_, 0.0f, 1.0f);
    ImGui::SameLine();
    changed |= ImGui::InputInt("first test image", &denoise_index_);
    ImGui::SameLine();
    if (ImGui::Button("New noise")) {
        ++denoise_seed_;
        changed = true;
    }
    ImGui::PopItemWidth();
    denoise_index_ = std::clamp(denoise_index_, 0, count - 1);
    ImGui::TextDisabled("rows: clean, corrupted (core/corruption.h, as denoising training uses), reconstruction of "
                        "the corrupted image; MSE to the clean image below");
    if (changed || denoise_dirty_ || model_changed_) {
        denoise_dirty_ = false;
        const int n = 12, rows = snap_.image_rows, cols = snap_.image_cols;
        std::vector<int> idx(n);
        for (int i = 0; i < n; ++i) idx[i] = (denoise_index_ + i) % count;
        const ae::Matrix clean = test_images(idx);
        ae::Matrix noisy(clean.rows(), clean.cols());
        ae::Rng rng(static_cast<uint64_t>(denoise_seed_), 3);
        const ae::Corruption c = corruptions[std::clamp(denoise_kind_, 0, 3)];
        const float level = c == ae::Corruption::block
                                ? std::max(1.0f, std::round(denoise_level_ * std::min(rows, cols)))
                                : denoise_level_;
        try {
            ae::corrupt(c, level, rows, cols, rng, clean, noisy);
            std::vector<int> own(idx.size());  // a cvae repairs each image with its own class
            for (size_t i = 0; i < idx.size(); ++i) own[i] = status_.test->labels[static_cast<size_t>(idx[i])];
            const ae::Matrix recon = model_->reconstruct(noisy, nullptr, own.data());
            ae::Matrix all(clean.rows(), 3 * n);
            all << clean, noisy.cwiseMax(0.0f).cwiseMin(1.0f), recon;
            grid_set(denoise_grid_, all, n);
            denoise_mse_noisy_ = ae::mse(clean, noisy.cwiseMax(0.0f).cwiseMin(1.0f));
            denoise_mse_recon_ = ae::mse(clean, recon);
            denoise_error_.clear();
        } catch (const ae::Error& e) {
            denoise_error_ = e.what();
        }
    }
    if (!denoise_error_.empty()) ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1), "%s", denoise_error_.c_str());
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float text_h = ImGui::GetTextLineHeightWithSpacing();
    const float scale = denoise_grid_.width > 0
                            ? std::min(avail.x / denoise_grid_.width, (avail.y - text_h) / denoise_grid_.height)
                            : 1;
    grid_show(denoise_grid_, std::max(1.0f, std::floor(scale)));
    ImGui::Text("MSE to the clean images: corrupted %.4f, reconstructed %.4f", denoise_mse_noisy_, denoise_mse_recon_);
}

// The first layer's weights as images (core: filters.h), refreshed with the model's weights.
void App::tab_weights() {
    if (weights_version_ != snap_.params_version || weights_grid_.width == 0) {
        const ae::FilterImages f = ae::first_layer_filters(*model_, 64);
        grid_set(weights_grid_, f.tiles, 16, f.rows, f.cols);
        weights_layer_ = f.layer;
        weights_version_ = snap_.params_version;
    }
    ImGui::TextDisabled("%s: the first 64 filters, each scaled to its largest |weight| (grey = 0, white = most "
                        "positive, black = most negative)", weights_layer_.c_str());
    const float avail = ImGui::GetContentRegionAvail().x;
    const float scale = weights_grid_.width > 0 ? std::max(1.0f, std::floor(avail / weights_grid_.width)) : 1.0f;
    grid_show(weights_grid_, std::min(scale, 12.0f));
}

void App::tab_anomaly() {
    // anomaly.h: the whole test set; recomputed on Refresh, on new weights while paused, or every 5 s
    // while training (it costs one pass over the test set on the UI thread).
    const double t = now_seconds();
    // Leaving a class out of training (ae train --exclude-class): the data are loaded again without it and
    // a new model starts; its test images are then the anomalies the histogram should separate.
    if (status_.test) {
        const int n_classes = status_.test->num_classes();
        std::string items = std::string("none") + '\0';
        for (int c = 0; c < n_classes; ++c) items += status_.test->class_names[c] + '\0';
        int choice = status_.exclude_class + 1;
        ImGui::SetNextItemWidth(200);
        if (ImGui::Combo("leave out of training (new model)", &choice, items.c_str()) && choice - 1 != status_.exclude_class) {
            data_.exclude_class = choice - 1;
            trainer_.load_data(data_);
            anomaly_.reset();
        }
        if (status_.exclude_class >= 0 && status_.exclude_class < n_classes) {
            ImGui::SameLine();
            ImGui::TextDisabled("(%s left out: %d training images)", status_.test->class_names[status_.exclude_class].c_str(),
                                status_.train ? status_.train->count : 0);
        }
    }
    const bool refresh = ImGui::Button("Refresh");
    ImGui::SameLine();
    ImGui::TextDisabled("(whole test set; refreshes itself every 5 s while the weights change)");
    const bool stale = model_changed_ && (!status_.running || t - anomaly_time_ > 5.0);
    if (status_.test && (!anomaly_ || stale || refresh)) {
        ae::AnomalyOptions o;
        o.bins = 40;
        o.worst = 16;
        o.ssim_images = 0;  // not shown here
        anomaly_ = std::make_unique<ae::AnomalyReport>(ae::anomaly_report(*model_, *status_.test, o));
        anomaly_hist_.assign(anomaly_->histogram.counts.begin(), anomaly_->histogram.counts.end());
        grid_set(worst_grid_, anomaly_->worst_inputs, 8);
        anomaly_time_ = t;
    }
    if (!anomaly_ || anomaly_->errors.empty()) return;
    const ae::AnomalyReport& r = *anomaly_;
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "per-image MSE 0 .. %.4f (%d test images)", r.histogram.max_error,
                  static_cast<int>(r.errors.size()));
    ImGui::PlotHistogram("##hist", anomaly_hist_.data(), static_cast<int>(anomaly_hist_.size()), 0, overlay, 0.0f,
                         FLT_MAX, ImVec2(420, ImGui::GetContentRegionAvail().y - 10));
    ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::TextUnformatted("worst reconstructed (highest error first)");
    const int cell = grid_show(worst_grid_, 3.0f);
    // Each worst image's error, in the grid's order (8 per row).
    for (size_t j = 0; j < r.worst.size(); ++j) {
        if (j % 8) ImGui::SameLine();
        ImGui::Text("%.4f", r.worst_errors[j]);
    }
    if (cell >= 0 && cell < static_cast<int>(r.worst.size())) {
        const int i = r.worst[cell];
        const int label = status_.test->labels[i];
        ImGui::SetTooltip("test image %d (%s): MSE %.4f", i,
                          label < status_.test->num_classes() ? status_.test->class_names[label].c_str() : "?",
                          r.worst_errors[cell]);
    }
    ImGui::EndGroup();
}

void App::drop_file(const std::string& path) {
    auto ends_with = [&](const std::string& s) {
        return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
    };
    const std::string name = path.substr(path.find_last_of('/') + 1);
    if (ends_with(".safetensors")) {
        model_path_ = path;
        trainer_.load_model(path);
    } else if (ends_with(".json")) {
        try {
            std::ifstream f(path);
            std::stringstream ss;
            ss << f.rdbuf();
            const ae::Config c = ae::config_from_json(ss.str(), path);
            form_from_config(c);
            apply_form();
            config_error_.clear();
        } catch (const std::exception& e) {
            config_error_ = e.what();
        }
    } else {
        // IDX files: labels or images, test (t10k/test) or train by name.
        data_.kind = "idx";
        const bool labels = name.find("label") != std::string::npos || name.find("idx1") != std::string::npos;
        const bool test = name.find("t10k") != std::string::npos || name.find("test") != std::string::npos;
        (test ? (labels ? data_.test_labels : data_.test_images) : (labels ? data_.train_labels : data_.train_images)) =
            path;
    }
}

}  // namespace ae_app
