#include "ae/lessons.h"

#include <nlohmann/json.hpp>

namespace ae {

const std::vector<Lesson>& lessons() {
    static const std::vector<Lesson> t = {
        {"bottleneck", "The bottleneck: a 2-D code", "003 (Heidelberg): latent space k = 2 / 10 / 20; 004 (CS109B): bottleneck",
         "fashion-mnist", {{"model.type", "ae"}, {"model.latent", "2"}, {"train.epochs", "3"}}, "recon",
         "Two numbers per image: the reconstructions keep the garment's kind and rough shape but lose its details "
         "(prints, collars, laces). Raise the latent size to 10 or 20 (Reset) and watch the details come back."},
        {"ae-map", "A plain autoencoder's map has gaps", "000 (BBS 741) and 002 (MCnet): AE vs VAE latent space",
         "mnist", {{"model.type", "ae"}, {"model.latent", "2"}, {"train.epochs", "5"}}, "map",
         "Each digit gets its own region, but the regions are spread out with empty space between them and no "
         "common scale: decoding a point from a gap (the manifold grid) gives images that are no digit. Compare "
         "with the VAE lesson."},
        {"vae-map", "The VAE's latent map has no gaps", "000 (BBS 741), 002 (MCnet): the KL term as regulariser",
         "mnist", {{"model.type", "vae"}, {"model.latent", "2"}, {"train.epochs", "5"}}, "map",
         "The KL term pulls every code towards N(0, I): the map is a round cloud around the origin without "
         "gaps, and every point of the manifold grid decodes to a plausible digit; samples from the prior look "
         "like digits too."},
        {"beta-vae", "beta = 4: a stronger pull to the prior", "003 (Heidelberg): beta = 1 / 4 / 10",
         "fashion-mnist", {{"model.type", "vae"}, {"model.beta", "4"}, {"train.epochs", "3"}}, "loss",
         "With beta = 4 the KL term (in the loss chart) ends far lower than with beta = 1 and the reconstructions "
         "are blurrier: fewer latent units stay active. Try beta = 10 (Reset) for an even smaller KL."},
        {"denoising", "Denoising: repairing 90 % deleted pixels", "003 (Heidelberg): 90 % pixel deletion on MNIST",
         "mnist", {{"model.type", "denoising"}, {"model.corruption", "masking"}, {"model.corruption_level", "0.9"},
                   {"train.epochs", "5"}}, "denoise",
         "Trained to restore digits from the 10 % of pixels that survive: in the denoise view (masking, level 0.9) "
         "the repaired digit is closer to the clean one than the corrupted input is (a higher PSNR), and more so "
         "the longer it trains."},
        {"cvae", "Same style, another class", "000 (BBS 741): conditional generation; Sohn et al. 2015",
         "fashion-mnist", {{"model.type", "cvae"}, {"train.epochs", "3"}}, "swap",
         "The class enters the encoder and the decoder, so the 2-D code keeps only the style (thickness, "
         "brightness, tilt): each row of the class-swap grid is one test image's style drawn as every garment. "
         "Choose a class beside the samples to generate it."},
        {"vqvae", "A discrete image code", "000 (BBS 741): DALL-E's discrete autoencoder; van den Oord et al. 2017",
         "fashion-mnist", {{"model.type", "vqvae"}, {"train.epochs", "3"}}, "codes",
         "Each image becomes four whole numbers (codebook indices, 24 bits). Click a cell of the code and choose "
         "another entry: the decoded garment changes part by part. The perplexity says how many entries are in use."},
    };
    return t;
}

const Lesson* find_lesson(const std::string& id) {
    for (const Lesson& l : lessons())
        if (l.id == id) return &l;
    return nullptr;
}

std::string lessons_json() {
    nlohmann::json a = nlohmann::json::array();
    for (const Lesson& l : lessons()) {
        nlohmann::json s = nlohmann::json::array();
        for (const auto& [path, text] : l.settings) s.push_back({path, text});
        a.push_back({{"id", l.id}, {"title", l.title}, {"source", l.source}, {"data", l.data}, {"settings", s},
                     {"view", l.view}, {"lookFor", l.look_for}});
    }
    return a.dump();
}

}  // namespace ae
