#include "ae/options.h"

#include "ae/config.h"

namespace ae {

const std::map<std::string, std::vector<std::string>>& config_choices() {
    static const std::map<std::string, std::vector<std::string>> m = {
        {"model.type", model_types()},
        {"model.activation", {"relu", "leaky_relu", "sigmoid", "tanh", "identity"}},
        {"model.latent_activation", {"identity", "relu", "leaky_relu", "sigmoid", "tanh"}},
        {"model.output", {"sigmoid", "identity"}},
        {"model.loss", {"bce", "mse"}},
        {"model.init", {"torch", "he", "glorot", "auto"}},
        {"model.sparsity", {"none", "l1", "kl"}},
        {"model.corruption", {"none", "gaussian", "salt_pepper", "masking", "block"}},
        {"train.optimizer", {"adam", "adamw", "sgd"}},
    };
    return m;
}

const std::vector<LossTermInfo>& loss_terms() {
    static const std::vector<LossTermInfo> t = {
        {"reconstruction", "reconstruction", &LossTerms::reconstruction},
        {"kl", "KL", &LossTerms::kl},
        {"sparsity", "sparsity", &LossTerms::sparsity},
        {"contractive", "contractive", &LossTerms::contractive},
        {"total", "total", &LossTerms::total},
    };
    return t;
}

}  // namespace ae
