// The desktop app's windows (Dear ImGui): controls, losses, reconstructions, latent map, and the
// latent tools (manifold grid, prior samples, interpolation, drawing, denoise/inpaint, anomalies).
//
// Threading: App runs on the UI thread only. It talks to the training thread through Trainer
// commands and reads Trainer::poll() snapshots; for the views that need the model (decoding the
// manifold grid, encoding a drawing...) it keeps its own ae::Autoencoder built from the snapshot's
// config and loaded with the snapshot's weights copy, never the session's model.
#pragma once

#include <imgui.h>

#include <array>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ae/anomaly.h"
#include "ae/autoencoder.h"
#include "ae/config.h"
#include "ae/latent.h"
#include "ae/session.h"
#include "ae/arithmetic.h"
#include "ae/embedding.h"
#include "ae/retrieval.h"
#include "ae/traversal.h"
#include "gl_views.h"
#include "ae/options.h"
#include "trainer.h"
#include "field_runner.h"
#include "tsne_runner.h"

namespace ae_app {

// An image grid shown through the shared image shader: grey cells composed on the CPU into one
// texture, drawn into a Canvas, displayed with ImGui::Image.
struct GridView {
    GreyTexture texture;
    Canvas canvas;
    std::vector<float> pixels;  // composed grid, row-major
    int width = 0, height = 0;  // of the composed grid in pixels
    int cols = 0, rows = 0, cell_w = 0, cell_h = 0;
    bool dirty = true;
};

struct AppOptions {
    DataSource data;
    ae::Config config;
    std::string model_path;  // load these weights at start (safetensors)
    bool autostart = false;  // start training at once
    int steps = 0;           // > 0: train exactly this many minibatches, then pause
    std::string lesson;      // lessons.h id opened at start (--lesson): its text shows in the controls
    std::string tab;         // latent tools tab to open first: manifold, prior, ..., neighbours, hashing, anomalies
    std::string map = "pca"; // the latent map's projection: pca, tsne or umap (they start once training pauses)
};

class App {
public:
    App(Trainer& trainer, const AppOptions& options);
    // Compiles the shared shaders (needs the GL context); throws ae::Error with the compiler log.
    void init_gl();
    // Builds every window for this frame (between ImGui::NewFrame and ImGui::Render).
    void frame(int width, int height);
    // A file dropped on the window: .safetensors -> model path, .json -> config, IDX -> data fields.
    void drop_file(const std::string& path);

    const ae::Snapshot& snapshot() const { return snap_; }
    // Whether the next frame would show something new (status or a snapshot due for polling).
    bool has_news() const;
    // A view is being computed on a thread of its own (Compare projections): a scripted run waits for it.
    bool computing() const { return compare_future_.valid() || field_.busy(field_state_.version); }
    bool training() const { return status_.running; }
    // Screen rectangle (x0, y0, x1, y1) of the latent map image in the last frame.
    std::array<float, 4> latent_map_rect() const { return map_rect_; }
    double ui_samples_per_sec() const { return ui_rate_; }

private:
    void poll();
    void refresh_model();
    void update_map_points();  // map_points_ from the PCA projection or the t-SNE map, and the view fit
    void start_tsne();         // t-SNE of the current test codes on TsneRunner's thread
    void window_controls();
    // The model/training form, generated from the core's description of the options (options.h).
    bool config_form();
    void form_from_config(const ae::Config& c);  // every field's text from c
    void form_recheck();                         // form_ = ae::form_check(running config, the texts)
    void window_losses();
    void window_reconstructions();
    void window_latent_map();
    void window_tools();
    void tab_manifold();
    void tab_prior();
    void tab_class_swap();
    void tab_codes();
    void lesson_menu();      // lessons.h: the lesson combo, its text; choosing one loads its data and model, trains
    void open_lesson(int i);       // vqvae: a test image's codebook indices, edited and decoded; the codebook decoded  // cvae: each test image's code decoded with every class (sampling.h class_swap_grid)
    void class_picker();    // cvae: the class the views decode with (Autoencoder::set_default_class)
    void mark_views_dirty();
    void tab_traversals();
    void tab_neighbors();
    void tab_hashing();
    void tab_arithmetic();
    void tab_projections();
    void tab_field();  // the vector field on 2-D toy data (field_runner.h), apart from the session
    void tab_interpolation();
    void tab_draw();
    void tab_denoise();
    void tab_anomaly();
    void tab_weights();

    // Fills `g` with a grid of images [D, n] (values 0..1), `cols` per row, and marks it dirty.
    // Composes images [tile_rows * tile_cols, n] (default: the data's image size) into g, `cols` per row.
    void grid_set(GridView& g, const ae::Matrix& images, int cols, int tile_rows = 0, int tile_cols = 0);
    // Draws `g` at `scale` screen pixels per image pixel; returns the hovered cell or -1.
    int grid_show(GridView& g, float scale, bool is_signed = false);
    ae::Matrix test_images(const std::vector<int>& index) const;  // [D, k] in 0..1
    void apply_form();  // form_.config to the trainer (a new model unless only live fields changed)

    Trainer& trainer_;
    AppOptions options_;
    TrainerStatus status_;
    uint64_t status_version_ = 0;
    ae::Snapshot snap_;
    uint64_t snap_generation_ = 0, snap_version_ = 0;
    double last_poll_ = -1.0;

    // UI-side model copy.
    std::unique_ptr<ae::Autoencoder> model_;
    std::string model_config_json_;
    uint64_t model_params_version_ = 0;
    uint64_t model_generation_ = 0;
    bool model_changed_ = false;  // weights changed this frame: views depending on them recompute

    // Controls.
    DataSource data_;
    std::map<std::string, std::string> form_text_;  // field path -> the text in its widget
    ae::FormResult form_;                           // the texts checked: the config, or a message per field
    std::string config_error_;                      // a config file dropped on the window that did not load
    bool config_pending_ = false;  // form differs from the running model (needs Apply)
    std::string model_path_ = "model.safetensors";
    int step_count_ = 10;
    bool tile_ = true;
    int64_t frames_ = 0;

    // Samples/s measured by the UI: steps advanced over wall time while training.
    double ui_rate_ = 0.0;
    double rate_t0_ = 0.0;
    int64_t rate_step0_ = -1;

    // Latent map.
    ImageProgram image_program_;
    PointsProgram points_program_;
    Canvas map_canvas_;
    std::vector<float> map_key_;  // what the canvas shows (redrawn when it changes)
    std::vector<float> map_xy_, map_class_;
    ae::Matrix map_points_;  // [2, m] projected codes
    bool map_pca_ = false;
    ae::LatentProjection projection_;  // codes -> map (PCA for latent > 2; also used for the drawing)
    float view_cx_ = 0, view_cy_ = 0, view_sx_ = 1, view_sy_ = 1;  // fit: data -> clip
    float zoom_ = 1.0f, pan_x_ = 0, pan_y_ = 0;
    bool map_fit_ = true;
    int map_method_ = 0;  // 0: PCA (latent_project_2d), 1: t-SNE (tsne.h), 2: UMAP (umap.h)
    float tsne_perplexity_ = 30.0f;
    TsneRunner tsne_;
    TsneRunner::Map tsne_map_;  // the last map polled from tsne_
    bool tsne_started_ = false;
    int64_t tsne_step_ = 0;     // the training step of the codes it embeds
    int hover_ = -1;
    std::array<float, 4> map_rect_{0, 0, 0, 0};
    GridView hover_grid_;
    int hover_shown_ = -2;

    GridView recon_grid_;
    uint64_t recon_version_ = 0;

    // Tools.
    GridView traversal_grid_;
    int traversal_image_ = 0, traversal_steps_ = 9, traversal_rows_ = 8, histogram_codes_ = 0;
    bool traversal_dirty_ = true;
    std::string traversal_note_;
    std::vector<ae::LatentHistogram> histograms_;
    std::vector<std::vector<float>> histogram_counts_;
    GridView nn_grid_;
    int nn_image_ = 0, nn_k_ = 8, nn_metric_ = 0;  // metric 0 euclidean, 1 cosine
    bool nn_drawn_ = false, nn_dirty_ = true;
    std::string nn_note_, nn_code_note_, nn_pixel_note_, nn_mean_note_;
    ae::Matrix nn_pixels_;                         // [D, m] the images of the published test codes
    std::map<std::pair<int, int>, double> nn_pixel_mean_;  // (k, metric) -> mean precision@k by pixels
    // Semantic hashing (retrieval.h): a hashing model's code bits, Hamming ball, mean retrieval and bits image.
    bool model_hashing_ = false;  // the UI model (snapshot generation) is a `hashing` model
    GridView hash_query_grid_, hash_bits_grid_, hash_ball_grid_, hash_image_grid_;
    int hash_image_ = 0, hash_radius_ = 2;
    bool hash_drawn_ = false, hash_dirty_ = true;
    ae::HammingBall hash_ball_;
    ae::CodeBitsImage hash_bits_image_;
    std::string hash_note_, hash_ball_note_, hash_mean_note_;
    // Compare projections (embedding.h), computed on a thread of its own (two t-SNE runs take seconds).
    std::future<std::vector<ae::EmbeddingView>> compare_future_;
    std::vector<ae::EmbeddingView> compare_views_;
    std::vector<uint8_t> compare_labels_;
    int compare_n_ = 1000;
    int64_t compare_step_ = 0;
    double compare_t0_ = 0, compare_seconds_ = 0;
    std::string compare_error_;
    // Vector field on 2-D data: two model types trained side by side on a toy set (field_comparison.h).
    FieldRunner field_;
    FieldRunner::State field_state_;
    int field_data_ = 0, field_types_[2] = {3, 4};  // indices into the toy sets and ae::model_types()
    bool field_started_ = false;
    Canvas field_canvas_[2];
    SegmentsProgram segments_program_;
    PointsProgram field_points_;
    GridView arith_grid_;
    int arith_image_ = 0, arith_from_ = -1, arith_to_ = 1, arith_b_ = 1, arith_c_ = 2;  // from -1: the image's class
    float arith_s_ = 1.0f;
    bool arith_dirty_ = true;
    std::string arith_note_;
    int lesson_ = -1;  // index into ae::lessons(), -1: none
    int vq_image_ = 0, vq_cell_ = 0, vq_entry_ = 0;
    std::vector<std::pair<int, int>> vq_edits_;  // (group, entry)
    GridView vq_grid_, vq_book_grid_;
    bool vq_dirty_ = true;
    std::string vq_note_;
    std::vector<int> vq_indices_, vq_edited_;
    int vq_rows_ = 1, vq_cols_ = 1, vq_k_ = 0;
    int cond_class_ = 0;  // cvae: the class the views decode with, kept across new models while it exists
    GridView swap_grid_;
    int swap_first_ = 0, swap_n_ = 6;
    bool swap_dirty_ = true;
    std::string swap_note_;
    bool prior_around_ = false;
    int prior_image_ = 0;
    float prior_sigma_ = 0.5f;
    GridView manifold_grid_, prior_grid_, interp_grid_, draw_recon_grid_, denoise_grid_, worst_grid_, weights_grid_;
    uint64_t weights_version_ = ~0ull;
    std::string weights_layer_;
    int manifold_n_ = 12;
    float manifold_q_ = 0.01f;
    int manifold_spacing_ = 0;  // auto, linear, normal
    bool manifold_pca_ = false;
    std::string manifold_note_, prior_note_;
    int manifold_dims_[2] = {0, 1};
    bool manifold_dirty_ = true;
    int prior_seed_ = 1;
    bool prior_dirty_ = true;
    int interp_a_ = 0, interp_b_ = 1, interp_steps_ = 9;
    bool interp_slerp_ = false;
    bool interp_dirty_ = true;
    std::string interp_error_, tool_error_;
    std::vector<float> drawing_;  // rows*cols, 0..1
    GreyTexture drawing_texture_;
    Canvas drawing_canvas_;
    bool drawing_dirty_ = true;
    std::vector<float> drawing_code_;  // latent code of the drawing (empty = none)
    int denoise_index_ = 0, denoise_kind_ = 0;
    float denoise_level_ = 0.3f;
    int denoise_seed_ = 1;
    double denoise_mse_noisy_ = 0, denoise_mse_recon_ = 0;
    std::string denoise_error_;
    bool denoise_dirty_ = true;
    std::unique_ptr<ae::AnomalyReport> anomaly_;
    std::vector<float> anomaly_hist_;
    double anomaly_time_ = -100.0;
};

}  // namespace ae_app
