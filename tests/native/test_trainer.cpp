// The desktop app's training thread (native/app/trainer.h) on the real MNIST digits: a UI-like reader
// polls snapshots and status while the training thread runs and commands arrive (start, live learning
// rate change, pause, step, new model, reset, save, stop). Run under ThreadSanitizer by the tsan preset
// (label `threads`): any data race in the hand-off is a report there.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "ae/session.h"
#include "trainer.h"

namespace {

using Clock = std::chrono::steady_clock;

ae_app::DataSource mnist_small() {
    ae_app::DataSource s;
    s.kind = "mnist";
    s.limit_train = 2000;
    s.limit_test = 300;
    return s;
}

ae::Config small_config() {
    ae::Config c;
    c.model.encoder = {32};
    c.model.latent = 2;
    c.train.batch = 64;
    c.train.epochs = 1000;  // never finishes by itself here
    c.train.seed = 4;
    c.train.threads = 2;
    return c;
}

ae::SessionOptions small_views() {
    ae::SessionOptions o;
    o.view_images = 8;
    o.view_codes = 200;
    return o;
}

// Polls like the UI does, checking each snapshot against the previous one of the same session.
struct Reader {
    uint64_t generation = 0, version = 0;
    ae::Snapshot snap;
    ae::Config config;
    int polls = 0, fresh = 0, with_params = 0;
    std::string failure;

    void check(bool ok, const std::string& what) {
        if (!ok && failure.empty()) failure = what + " (poll " + std::to_string(polls) + ")";
    }
    void poll(const ae_app::Trainer& t) {
        const uint64_t g0 = generation, v0 = version;
        const size_t losses0 = snap.train_loss.size();
        ++polls;
        if (!t.poll(snap, &generation, &version, &config)) return;
        ++fresh;
        if (generation == g0) {
            check(version > v0, "same session, version did not advance");
            check(snap.train_loss.size() >= losses0, "train_loss shrank within a session");
        }
        check(static_cast<int64_t>(snap.train_loss.size()) == snap.step - snap.first_step, "train_loss size != step - first_step");
        check(snap.image_rows == 28 && snap.image_cols == 28, "image size");
        check(config.model.latent == static_cast<int>(snap.test_codes.rows()) || snap.test_codes.cols() == 0,
              "config and codes disagree");
        if (!snap.params.empty()) {
            ++with_params;
            ae::Autoencoder m(config.model);  // what the UI does: its own model on the weights copy
            check(m.params().values().size() == snap.params.size(), "params size != the config's model");
        }
        for (float l : snap.train_loss) check(std::isfinite(l), "loss not finite");
    }
};

// Waits (polling like a UI) until pred() or the timeout; returns pred().
template <class P>
bool poll_until(ae_app::Trainer& t, Reader& r, P pred, double timeout_s = 120) {
    const auto t0 = Clock::now();
    while (!pred()) {
        if (std::chrono::duration<double>(Clock::now() - t0).count() > timeout_s) return false;
        r.poll(t);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

TEST(Trainer, UiReaderWhileTrainingAndCommands) {
    ae_app::Trainer t(small_views());
    t.set_view_interval(0.01);
    Reader r;
    t.set_config(small_config());
    t.load_data(mnist_small());
    ASSERT_TRUE(t.wait_idle(120));
    ae_app::TrainerStatus st = t.status();
    ASSERT_TRUE(st.error.empty()) << st.error;
    ASSERT_TRUE(st.has_session);
    ASSERT_EQ(st.train->count, 2000);
    ASSERT_EQ(st.test->count, 300);
    const uint64_t gen1 = st.generation;

    // Free-running training while the reader polls.
    t.start();
    ASSERT_TRUE(poll_until(t, r, [&] { return r.snap.step >= 40 && r.with_params > 3; })) << r.failure;
    EXPECT_TRUE(t.status().running);

    // A live hyperparameter change: same session, training continues.
    ae::Config c = small_config();
    c.train.optimizer.lr = 5e-4f;
    t.set_config(c);
    const int64_t before = r.snap.step;
    ASSERT_TRUE(poll_until(t, r, [&] { return r.snap.step >= before + 20; })) << r.failure;
    st = t.status();
    EXPECT_EQ(st.generation, gen1);
    EXPECT_FLOAT_EQ(st.config.train.optimizer.lr, 5e-4f);
    EXPECT_EQ(r.generation, gen1);

    // Pause: the step count stops moving.
    t.pause();
    ASSERT_TRUE(t.wait_idle(60));
    EXPECT_FALSE(t.status().running);
    r.poll(t);
    const int64_t paused_at = r.snap.step;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r.poll(t);
    EXPECT_EQ(r.snap.step, paused_at);

    // Step: exactly n minibatches, then paused again.
    t.step(7);
    ASSERT_TRUE(t.wait_idle(60));
    r.poll(t);
    EXPECT_EQ(r.snap.step, paused_at + 7);
    EXPECT_FALSE(t.status().running);

    // A new model (latent 3): a new session, the reader sees the new generation from step 0.
    c.model.latent = 3;
    t.set_config(c);
    ASSERT_TRUE(t.wait_idle(60));
    st = t.status();
    EXPECT_GT(st.generation, gen1);
    EXPECT_EQ(st.config.model.latent, 3);
    ASSERT_TRUE(poll_until(t, r, [&] { return r.generation == st.generation; }));
    EXPECT_EQ(r.snap.step, 0);
    EXPECT_EQ(r.snap.test_codes.rows(), 3);

    // Save the weights while training runs (the training thread writes them between batches).
    t.start();
    const std::string path = (std::filesystem::temp_directory_path() / "ae_app_test_trainer.safetensors").string();
    std::filesystem::remove(path);
    t.save_model(path);
    ASSERT_TRUE(poll_until(t, r, [&] { return t.status().notice.rfind("saved", 0) == 0 || !t.status().error.empty(); }));
    EXPECT_TRUE(t.status().error.empty()) << t.status().error;
    EXPECT_GT(std::filesystem::file_size(path), 1000u);
    std::filesystem::remove(path);

    // Reset: same config, a fresh session.
    const uint64_t gen2 = t.status().generation;
    t.reset();
    ASSERT_TRUE(poll_until(t, r, [&] { return t.status().generation > gen2; }));
    EXPECT_FALSE(t.status().running);  // a reset pauses

    // Stop while training: returns within about one batch (generous bound for sanitizers).
    t.start();
    ASSERT_TRUE(poll_until(t, r, [&] { return r.snap.step >= 5 && r.generation > gen2; })) << r.failure;
    const auto t0 = Clock::now();
    t.stop();
    const double stop_s = std::chrono::duration<double>(Clock::now() - t0).count();
    EXPECT_LT(stop_s, 5.0);
    r.poll(t);  // still readable after the thread is gone
    EXPECT_TRUE(r.failure.empty()) << r.failure;
    EXPECT_GT(r.fresh, 10);
    // It learned: the last losses are below the first ones of this session.
    ASSERT_GE(r.snap.train_loss.size(), 5u);
    EXPECT_LT(r.snap.train_loss.back(), r.snap.train_loss.front());
}

TEST(Trainer, BadInputIsReportedNotFatal) {
    ae_app::Trainer t(small_views());
    t.step(3);  // no data yet: nothing to do
    ASSERT_TRUE(t.wait_idle(30));
    EXPECT_FALSE(t.status().has_session);

    ae_app::DataSource missing;
    missing.kind = "idx";
    missing.train_images = "/nonexistent/train-images-idx3-ubyte.gz";
    t.load_data(missing);
    ASSERT_TRUE(t.wait_idle(30));
    const ae_app::TrainerStatus st = t.status();
    EXPECT_NE(st.error.find("/nonexistent/train-images-idx3-ubyte.gz"), std::string::npos) << st.error;
    EXPECT_FALSE(st.has_session);
    EXPECT_FALSE(st.loading);

    t.set_config(small_config());
    t.load_data(mnist_small());
    ASSERT_TRUE(t.wait_idle(120));
    EXPECT_TRUE(t.status().has_session);
    ae::Config bad = small_config();
    bad.model.latent = 0;
    t.set_config(bad);
    ASSERT_TRUE(t.wait_idle(30));
    EXPECT_NE(t.status().error.find("latent"), std::string::npos) << t.status().error;
    EXPECT_EQ(t.status().config.model.latent, 2);  // the running model is kept
}

// Save while paused, load the file back: a new session whose weights are exactly the saved ones.
TEST(Trainer, SaveThenLoadModelRestoresTheWeights) {
    ae_app::Trainer t(small_views());
    Reader r;
    t.set_config(small_config());
    t.load_data(mnist_small());
    t.step(15);
    ASSERT_TRUE(t.wait_idle(120));  // (a pause queued with the step would cancel it: commands apply in order)
    t.pause();                      // publishes fresh views (and the weights copy)
    ASSERT_TRUE(t.wait_idle(60));
    ASSERT_TRUE(t.status().error.empty()) << t.status().error;
    r.poll(t);
    ASSERT_EQ(r.snap.step, 15);
    const std::vector<float> saved = r.snap.params;
    ASSERT_FALSE(saved.empty());
    const uint64_t gen = t.status().generation;

    const std::string path = (std::filesystem::temp_directory_path() / "ae_app_test_roundtrip.safetensors").string();
    t.save_model(path);
    ASSERT_TRUE(t.wait_idle(60));
    ASSERT_TRUE(t.status().error.empty()) << t.status().error;
    t.reset();  // other weights in between
    t.load_model(path);
    ASSERT_TRUE(t.wait_idle(60));
    ASSERT_TRUE(t.status().error.empty()) << t.status().error;
    EXPECT_GT(t.status().generation, gen + 1);
    ASSERT_TRUE(poll_until(t, r, [&] { return r.generation == t.status().generation; }));
    EXPECT_EQ(r.snap.step, 15);  // the run continues (session.h resume): step count, optimizer state
    EXPECT_EQ(r.snap.first_step, 15);
    EXPECT_EQ(r.snap.params, saved);
    EXPECT_EQ(r.config.model.encoder, std::vector<ae::LayerSpec>{32});

    // A truncated file is an error naming it; the running model stays.
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << "not a model";
    }
    const uint64_t gen_loaded = t.status().generation;
    t.load_model(path);
    ASSERT_TRUE(t.wait_idle(60));
    EXPECT_NE(t.status().error.find(path), std::string::npos) << t.status().error;
    EXPECT_EQ(t.status().generation, gen_loaded);
    std::filesystem::remove(path);
    EXPECT_TRUE(r.failure.empty()) << r.failure;
}

}  // namespace

// A learning rate that blows up without NaN (the finite divergence rule, session.h) in the app's thread:
// training stops by itself, the snapshot says why and suggests a lower rate, the weights are finite.
TEST(Trainer, FiniteDivergenceStopsWithAMessage) {
    ae_app::Trainer t(small_views());
    ae::Config c = small_config();
    c.train.optimizer.type = ae::OptimizerType::adam;
    c.train.optimizer.lr = 100.0f;
    t.set_config(c);
    t.load_data(mnist_small());
    ASSERT_TRUE(t.wait_idle(120));
    t.start();
    ae::Snapshot snap;
    uint64_t generation = 0, version = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (Clock::now() < deadline) {
        t.poll(snap, &generation, &version);
        if (snap.diverged && !t.status().running) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(snap.diverged) << "no divergence after " << snap.step << " steps";
    std::printf("%s\n", snap.message.c_str());
    EXPECT_FALSE(t.status().running);
    EXPECT_NE(snap.message.find("smoothed training loss stayed above 10x its best value"), std::string::npos)
        << snap.message;
    EXPECT_NE(snap.message.find("Lower the learning rate"), std::string::npos) << snap.message;
    EXPECT_LT(snap.step, 1000);
    ASSERT_FALSE(snap.params.empty());
    for (float v : snap.params) ASSERT_TRUE(std::isfinite(v));
}
