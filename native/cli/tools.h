// `ae eval`, `ae sample`, `ae interpolate`, `ae manifold`, `ae reconstruct`, `ae embed`, `ae field`: commands that load a model file written by
// `ae train` and report on it. Registered into the main CLI11 app by add_tool_commands (main.cpp calls it
// once before parsing and run() after); the math is in core (metrics.h, anomaly.h, sampling.h,
// interpolation.h, manifold.h, latent.h, pca.h, tsne.h, vector_field.h). `ae analyze` writes their numbers as JSON.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "ae/session.h"

namespace ae_cli {

class ToolCommands {
public:
    virtual ~ToolCommands() = default;
    // True when one of the tool subcommands was given on the command line.
    virtual bool parsed() const = 0;
    // Runs it; returns the exit code. Throws ae::Error for bad input (main prints it, exit code 2).
    virtual int run() = 0;
};

std::unique_ptr<ToolCommands> add_tool_commands(CLI::App& app);

// manifold.png for `ae train` with a 2-D latent: ae::manifold_grid with its defaults (20 x 20, manifold.h);
// for 2-D point data instead field.png (as `ae field`: the vector field on a 24 x 24 grid of [0, 1]²).
// Returns ", manifold.png" / ", field.png" when written, "" otherwise (samples.png for VAEs is written by
// main.cpp).
std::string write_train_figures(const std::string& out_dir, ae::TrainingSession& session);

}  // namespace ae_cli
