// The lesson table (lessons.h): ids unique and URL-safe, a built-in data set, a known view, model.type first,
// and every settings list accepted by form_check with exactly the values it names.
#include <gtest/gtest.h>

#include <set>

#include "ae/config.h"
#include "ae/lessons.h"
#include "ae/options.h"

namespace {

TEST(Lessons, EverySetupIsAValidForm) {
    const std::set<std::string> views = {"loss", "recon", "map", "manifold", "samples", "swap", "codes", "denoise"};
    std::set<std::string> ids;
    ASSERT_GE(ae::lessons().size(), 7u);
    for (const ae::Lesson& l : ae::lessons()) {
        SCOPED_TRACE(l.id);
        EXPECT_TRUE(ids.insert(l.id).second) << "duplicate id";
        EXPECT_EQ(l.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"), std::string::npos);
        EXPECT_TRUE(l.data == "fashion-mnist" || l.data == "mnist");
        EXPECT_TRUE(views.count(l.view));
        EXPECT_FALSE(l.title.empty() || l.look_for.empty() || l.source.empty());
        ASSERT_FALSE(l.settings.empty());
        EXPECT_EQ(l.settings.front().first, "model.type");
        ae::Config base;
        base.model.input_rows = base.model.input_cols = 28;
        const ae::FormResult r = ae::form_check(base, l.settings);
        EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.begin()->first + ": " + r.errors.begin()->second);
        for (const auto& [path, text] : l.settings) {
            const std::string shown = ae::field_text(r.config, path);
            // Numbers are shown in the core's formatting ("0.9", "4"): the lesson's text is that formatting.
            EXPECT_EQ(shown, text) << path;
        }
        EXPECT_EQ(ae::find_lesson(l.id), &l);
    }
    EXPECT_EQ(ae::find_lesson("no-such-lesson"), nullptr);
    EXPECT_NE(ae::lessons_json().find("\"lookFor\""), std::string::npos);
}

}  // namespace
