#include "ae/eigen.h"

namespace ae {

const char* simd_instruction_sets() { return Eigen::SimdInstructionSetsInUse(); }

}  // namespace ae
