// ae-app: the desktop autoencoder lab. SDL2 window, Dear ImGui 1.86 (SDL2 + OpenGL3 backends), OpenGL
// 3.3 core; training runs on a background thread (trainer.h), the UI thread only draws snapshots.
//
//   ae-app                                   # Fashion-MNIST, the default model; press Start
//   ae-app --data mnist --model ae --latent 2 --train
//   ae-app --steps 300 --screenshot shot.png --frames 60   # scripted: train, capture, exit 0
#include <SDL.h>
#include <backends/imgui_impl_opengl3.h>
#include <backends/imgui_impl_sdl.h>
#include <imgui.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "ae/config.h"
#include "ae/options.h"
#include "config_flags.h"
#include "ae/error.h"
#include "ae/lessons.h"
#include "ae/plot.h"
#include "ae/png.h"
#include "app.h"
#include "gl_views.h"
#include "trainer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct FrameLog {
    std::vector<double> interval_ms, work_ms;
    std::vector<int> training;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
    return v[i];
}

// The back buffer as an 8-bit RGB image, top row first.
ae::Image read_back_buffer(int w, int h) {
    ae::Image img;
    img.width = w;
    img.height = h;
    std::vector<uint8_t> raw(static_cast<size_t>(w) * h * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, raw.data());
    img.rgb.resize(raw.size());
    for (int y = 0; y < h; ++y)
        std::copy_n(raw.data() + static_cast<size_t>(h - 1 - y) * w * 3, w * 3, img.rgb.data() + static_cast<size_t>(y) * w * 3);
    return img;
}

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw ae::Error(path + ": cannot open the file");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// The option labels and help carry Greek letters and math (β, ρ, ‖J_f‖²): ImGui's built-in font has
// Latin only, so the app loads DejaVu Sans Mono (Debian fonts-dejavu-core) with the glyphs they use, and
// keeps the built-in font when the file is missing.
void load_font() {
    const char* path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
    if (FILE* f = std::fopen(path, "rb")) std::fclose(f);
    else return;
    static ImVector<ImWchar> ranges;
    ImFontGlyphRangesBuilder b;
    b.AddRanges(ImGui::GetIO().Fonts->GetGlyphRangesDefault());
    for (const ae::FieldInfo& fi : ae::config_fields()) {
        b.AddText(fi.label.c_str());
        b.AddText(fi.help.c_str());
        b.AddText(fi.unit.c_str());
    }
    b.AddText("μσρβλεΣ‖²·≈×−…");
    b.BuildRanges(&ranges);
    ImGui::GetIO().Fonts->AddFontFromFileTTF(path, 14.0f, nullptr, ranges.Data);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"ae-app: the autoencoder lab's desktop app (SDL2 + Dear ImGui + OpenGL 3.3).\n"
                 "Training runs on a background thread; every view updates while it trains."};
    ae_app::AppOptions opt;
    std::string config_file, screenshot, frame_log, summary_file, save_file;
    int frames = 60, width = 1600, height = 1000;
    bool render_always = false;
    int training_nice = 0;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    cli.add_option("--data", opt.data.kind, "Data set: fashion-mnist, mnist, or idx (with --train-images ...)")
        ->check(CLI::IsMember({"fashion-mnist", "mnist", "idx"}))
        ->capture_default_str();
    cli.add_option("--data-dir", opt.data.dir, "Directory of the data set (default: the package's)");
    cli.add_option("--train-images", opt.data.train_images, "IDX training images (.gz or plain)");
    cli.add_option("--train-labels", opt.data.train_labels, "IDX training labels");
    cli.add_option("--test-images", opt.data.test_images, "IDX test images (default: hold out 10% of training)");
    cli.add_option("--test-labels", opt.data.test_labels, "IDX test labels");
    cli.add_option("--limit-train", opt.data.limit_train, "Use only the first N training images (0 = all)");
    cli.add_option("--limit-test", opt.data.limit_test, "Use only the first N test images (0 = all)");
    cli.add_option("--config", config_file, "JSON config (the format of ae train's metrics.json 'config')");
    cli.add_option("--load", opt.model_path, "Start from a model file (.safetensors written by ae train or the app)");
    // The model and training flags of `ae train`, from the core's description of the options (options.h).
    ae::Config flag_defaults;
    flag_defaults.train.threads = cores;
    ae_host::ConfigFlags flags;
    ae_host::add_config_flags(&cli, flags, flag_defaults);
    cli.add_flag("--train", opt.autostart, "Start training at once");
    cli.add_option("--steps", opt.steps, "Train exactly N minibatches, then pause (scripted runs)");
    cli.add_option("--screenshot", screenshot,
                   "Scripted run: train (--steps, default 200), render --frames frames, save the window as PNG, exit");
    cli.add_option("--save", save_file,
                   "Scripted run: after --steps (default 200), write the model file (weights, config, data set, "
                   "optimizer state) to FILE, then exit (after the screenshot, if any)");
    cli.add_option("--map", opt.map, "Latent map projection: pca, tsne (t-SNE) or umap (both start once training pauses)")
        ->check(CLI::IsMember({"pca", "tsne", "umap"}))
        ->capture_default_str();
    cli.add_option("--lesson", opt.lesson, "Open a lesson (core/include/ae/lessons.h): its data set and settings, "
                                           "applied over the other flags");
    cli.add_option("--tab", opt.tab, "Latent tools tab to show first")
        ->check(CLI::IsMember({"manifold", "prior", "swap", "codes", "traversals", "neighbours", "hashing", "arithmetic", "projections", "field", "interpolation", "draw", "denoise", "anomalies", "weights"}));
    cli.add_option("--frames", frames, "Frames to render before the screenshot")->check(CLI::Range(1, 1 << 20))->capture_default_str();
    cli.add_option("--log-frame-times", frame_log, "Write one line per frame: interval_ms work_ms training");
    cli.add_option("--summary", summary_file, "Write a JSON summary at exit (losses, frame times, samples/s)");
    cli.add_option("--training-nice", training_nice,
                   "Nice value of the training threads (Linux), so the UI stays smooth on a busy CPU; 0 = same as the UI")
        ->check(CLI::Range(0, 19))
        ->capture_default_str();
    cli.add_flag("--render-always", render_always,
                 "Render every frame (default: skip frames while nothing changes, to leave the CPU to training)");
    cli.add_option("--width", width, "Window width")->capture_default_str();
    cli.add_option("--height", height, "Window height")->capture_default_str();
    CLI11_PARSE(cli, argc, argv);

    try {
        if (!config_file.empty()) opt.config = ae::config_from_json(read_text(config_file), config_file);
        if (config_file.empty()) opt.config.train.threads = cores;
        opt.config = ae_host::apply_config_flags(flags, opt.config);
        if (!opt.lesson.empty()) {
            const ae::Lesson* l = ae::find_lesson(opt.lesson);
            if (!l) {
                std::string ids;
                for (const ae::Lesson& x : ae::lessons()) ids += (ids.empty() ? "" : ", ") + x.id;
                throw ae::Error("--lesson " + opt.lesson + ": not a lesson (" + ids + ")");
            }
            const ae::FormResult r = ae::form_check(opt.config, l->settings);
            if (!r.ok()) throw ae::Error("--lesson " + opt.lesson + ": " + r.errors.begin()->second);
            opt.config = r.config;
            opt.data.kind = l->data;
        }
        ae::config_validate(opt.config);
    } catch (const ae::Error& e) {
        std::fprintf(stderr, "ae-app: %s\n", e.what());
        return 2;
    }
    const bool scripted = !screenshot.empty() || !save_file.empty();
    if (scripted && opt.steps <= 0) opt.steps = 200;

    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        std::fprintf(stderr, "ae-app: SDL_Init failed: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_Window* window = SDL_CreateWindow("Autoencoder lab", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, width, height,
                                          SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!window) {
        std::fprintf(stderr, "ae-app: cannot open a window: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GLContext gl = SDL_GL_CreateContext(window);
    if (!gl) {
        std::fprintf(stderr, "ae-app: cannot create an OpenGL 3.3 core context: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GL_MakeCurrent(window, gl);
    SDL_GL_SetSwapInterval(1);
    SDL_EventState(SDL_DROPFILE, SDL_ENABLE);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // tiled layout each start
    ImGui::StyleColorsDark();
    load_font();
    ImGui_ImplSDL2_InitForOpenGL(window, gl);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    int exit_code = 0;
    FrameLog log;
    {
        ae::SessionOptions session_options;
        ae_app::Trainer trainer(session_options, training_nice);
        ae_app::App app(trainer, opt);
        try {
            app.init_gl();
        } catch (const ae::Error& e) {
            std::fprintf(stderr, "ae-app: %s\n", e.what());
            return 1;
        }
        trainer.set_config(opt.config);
        trainer.load_data(opt.data);
        if (!opt.model_path.empty()) trainer.load_model(opt.model_path);
        if (opt.steps > 0) trainer.step(opt.steps);
        else if (opt.autostart) trainer.start();

        const auto t_start = Clock::now();
        auto t_prev = t_start;
        int frame = 0;
        bool done = false;
        bool steps_done = false;
        int quiet_frames = 0;  // frames since the last input event
        while (!done) {
            SDL_Event event;
            // Power saving (not in scripted runs or with --render-always): when nothing happened (no
            // input, no new snapshot) skip the frame and wait up to 16 ms for an event, so a software
            // renderer does not take CPU time from training. Input still gets the next frame at once.
            if (!scripted && !render_always && quiet_frames > 3 && !app.has_news()) {
                if (SDL_WaitEventTimeout(nullptr, 16) == 0) continue;
            }
            ++quiet_frames;
            while (SDL_PollEvent(&event)) {
                if (event.type != SDL_USEREVENT) quiet_frames = 0;
                ImGui_ImplSDL2_ProcessEvent(&event);
                if (event.type == SDL_QUIT) done = true;
                if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE &&
                    event.window.windowID == SDL_GetWindowID(window))
                    done = true;
                if (event.type == SDL_DROPFILE) {
                    app.drop_file(event.drop.file);
                    SDL_free(event.drop.file);
                }
            }
            const auto t_frame = Clock::now();
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplSDL2_NewFrame();
            ImGui::NewFrame();
            int w = 0, h = 0;
            SDL_GL_GetDrawableSize(window, &w, &h);
            app.frame(w, h);
            ImGui::Render();
            glViewport(0, 0, w, h);
            glClearColor(0.12f, 0.12f, 0.14f, 1.0f);
            glClear(GL_COLOR_BUFFER_BIT);
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            ++frame;

            if (scripted) {
                const ae::Snapshot& s = app.snapshot();
                if (!steps_done && s.step >= opt.steps && !app.training()) {
                    steps_done = true;
                    frame = 0;  // count the frames rendered after training
                    if (!save_file.empty()) {
                        trainer.save_model(save_file);
                        trainer.wait_idle(120.0);
                        const ae_app::TrainerStatus st = trainer.status();
                        if (!st.error.empty()) {
                            std::fprintf(stderr, "ae-app: --save %s: %s\n", save_file.c_str(), st.error.c_str());
                            exit_code = 1;
                            done = true;
                        }
                    }
                }
                if (steps_done && frame >= frames && !done && !app.computing()) {
                    if (!screenshot.empty()) {
                        try {
                            ae::write_png(screenshot, read_back_buffer(w, h));
                        } catch (const ae::Error& e) {
                            std::fprintf(stderr, "ae-app: %s\n", e.what());
                            exit_code = 1;
                        }
                    }
                    done = true;
                }
                if (std::chrono::duration<double>(Clock::now() - t_start).count() > 600) {
                    std::fprintf(stderr, "ae-app: the scripted run did not finish within 600 s\n");
                    exit_code = 1;
                    done = true;
                }
            }
            SDL_GL_SwapWindow(window);
            // At most ~60 frames per second even without vsync (Xvfb): leave the cores to training.
            const double work = std::chrono::duration<double, std::milli>(Clock::now() - t_frame).count();
            if (work < 16.0) std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int>((16.0 - work) * 1000)));
            const auto t_now = Clock::now();
            log.interval_ms.push_back(std::chrono::duration<double, std::milli>(t_now - t_prev).count());
            log.work_ms.push_back(work);
            log.training.push_back(app.training() ? 1 : 0);
            t_prev = t_now;
        }
        const double ui_rate = app.ui_samples_per_sec();
        const ae::Snapshot snap = app.snapshot();
        const std::array<float, 4> map = app.latent_map_rect();
        trainer.stop();  // within one batch

        std::vector<double> train_interval, train_work;
        for (size_t i = 1; i < log.interval_ms.size(); ++i)
            if (log.training[i]) {
                train_interval.push_back(log.interval_ms[i]);
                train_work.push_back(log.work_ms[i]);
            }
        if (!frame_log.empty()) {
            std::ofstream f(frame_log);
            f << "# interval_ms work_ms training\n";
            for (size_t i = 0; i < log.interval_ms.size(); ++i)
                f << log.interval_ms[i] << ' ' << log.work_ms[i] << ' ' << log.training[i] << '\n';
        }
        nlohmann::json summary = {
            {"steps", snap.step},
            {"epoch", snap.epoch},
            {"train_loss", snap.train_loss},
            {"diverged", snap.diverged},
            {"samples_per_sec_ui", ui_rate},
            {"frames", log.interval_ms.size()},
            {"frames_while_training", train_interval.size()},
            {"frame_interval_ms_p50", percentile(train_interval, 0.5)},
            {"frame_interval_ms_p99", percentile(train_interval, 0.99)},
            {"frame_work_ms_p50", percentile(train_work, 0.5)},
            {"frame_work_ms_p99", percentile(train_work, 0.99)},
            {"latent_map_rect", map},
            {"screenshot", screenshot},
        };
        if (!summary_file.empty()) {
            std::ofstream f(summary_file);
            f << summary.dump(1) << '\n';
        }
        if (scripted) {
            const size_t n = snap.train_loss.size();
            std::printf("ae-app: %lld steps, loss %.4f -> %.4f, %.0f samples/s with the UI running, frame interval "
                        "p50 %.1f ms p99 %.1f ms (work p50 %.1f p99 %.1f) over %zu frames while training; %s\n",
                        static_cast<long long>(snap.step), n ? snap.train_loss.front() : 0.0, n ? snap.train_loss.back() : 0.0,
                        ui_rate, percentile(train_interval, 0.5), percentile(train_interval, 0.99),
                        percentile(train_work, 0.5), percentile(train_work, 0.99), train_interval.size(),
                        screenshot.c_str());
        }
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
    SDL_GL_DeleteContext(gl);
    SDL_DestroyWindow(window);
    SDL_Quit();
    return exit_code;
}
