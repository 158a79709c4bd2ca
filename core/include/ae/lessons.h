// Lessons: one-click setups that reproduce the demonstrations of the course material the lab serves
// (../shared/material/, listed by deck in each lesson's `source`). A lesson is a data set, option settings
// (options.h paths and texts, applied with form_check on top of the model type's defaults), the view to look
// at and a short text of what to look for. One table for every host: the page's lesson menu and
// `#lesson=ID` links, the desktop app's lesson menu.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ae {

struct Lesson {
    std::string id;        // "vae-map": the page's #lesson=ID and the app's --lesson ID
    std::string title;     // "The VAE's latent map has no gaps"
    std::string source;    // the deck and topic it reproduces, e.g. "003 (Heidelberg): beta = 1/4/10"
    std::string data;      // "fashion-mnist" | "mnist"
    std::vector<std::pair<std::string, std::string>> settings;  // option path -> text, model.type first
    std::string view;      // the view to look at: loss | recon | map | manifold | samples | swap | codes | denoise
    std::string look_for;  // what to look for, in a sentence or two
};

// In the material's order. Every settings list passes form_check (tests/test_lessons.cpp).
const std::vector<Lesson>& lessons();
// nullptr when no lesson has that id.
const Lesson* find_lesson(const std::string& id);
// The lessons as JSON for the page: [{id, title, source, data, settings: [[path, text], ...], view, lookFor}].
std::string lessons_json();

}  // namespace ae
