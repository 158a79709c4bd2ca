// The page's bounds on user files (uploads.h): each limit lets its largest value through, refuses one byte
// (or one file) more, and the message names the file and both sizes.
#include "ae/uploads.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace {

using test_util::error_of;

TEST(Uploads, OneFileAsStored) {
    EXPECT_NO_THROW(ae::check_page_file("train-images.idx", ae::kPageFileMaxBytes));
    const std::string e = error_of([] { ae::check_page_file("train-images.idx", uint64_t{600} << 20); });
    EXPECT_NE(e.find("train-images.idx is 600 MB"), std::string::npos) << e;
    EXPECT_NE(e.find("at most 512 MB"), std::string::npos) << e;
    EXPECT_NE(e.find("the desktop app read larger ones"), std::string::npos) << e;
}

TEST(Uploads, GunzipStopsAtTheLimit) {
    EXPECT_NO_THROW(ae::check_page_gunzip("bomb.idx.gz", ae::kPageFileMaxBytes));
    const std::string e = error_of([] { ae::check_page_gunzip("bomb.idx.gz", ae::kPageFileMaxBytes + 1); });
    EXPECT_NE(e.find("bomb.idx.gz expands to more than 512 MB"), std::string::npos) << e;
}

TEST(Uploads, AllFilesOfADataSet) {
    EXPECT_NO_THROW(ae::check_page_data("a.idx", ae::kPageDataMaxBytes));
    const std::string e = error_of([] { ae::check_page_data("a.idx", ae::kPageDataMaxBytes + (uint64_t{1} << 29)); });
    EXPECT_NE(e.find("a.idx: the data set's files hold 1.5 GB"), std::string::npos) << e;
    EXPECT_NE(e.find("at most 1 GB"), std::string::npos) << e;
}

TEST(Uploads, PngFolder) {
    EXPECT_NO_THROW(ae::check_page_png_folder("shoes", ae::kPageMaxPngFiles, "shoes/a.png", ae::kPagePngMaxBytes));
    std::string e = error_of([] { ae::check_page_png_folder("shoes", ae::kPageMaxPngFiles + 1, "shoes/a.png", 10); });
    EXPECT_NE(e.find("shoes holds 100001 PNG files; the page reads at most 100000"), std::string::npos) << e;
    e = error_of([] { ae::check_page_png_folder("shoes", 3, "shoes/huge.png", ae::kPagePngMaxBytes + 1); });
    EXPECT_NE(e.find("shoes/huge.png is 32 MB"), std::string::npos) << e;
}

}  // namespace
