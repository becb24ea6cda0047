// What one kernel computes, stated over its root axes, before any schedule.
// lower/ builds one ComputeDef per (fused) graph op; a Schedule rearranges its
// loops; Schedule::lower() turns it into a tir::PrimFunc.
#pragma once

#include <string>
#include <vector>

#include "tir/tir.h"

namespace swtc::schedule {

struct IterVar {
  std::string name;  // a C identifier, unique in the kernel
  int64_t extent = 1;
  bool reduce = false;
};

enum class Combiner { None, Sum, Max, Min, Prod };

/// out[s0, .., sk] = epilogue(combine over reduce axes of value), where
///   - the spatial axes are axes[0..rank(out)) in the output's dimension order,
///   - the reduce axes follow them,
///   - Combiner::None means no reduction: out[...] = value,
///   - `cond` (may be null) guards each update (e.g. padding),
///   - `epilogue` (may be null) is applied after the reduction; the variable
///     named kAcc stands for the accumulated value.
struct ComputeDef {
  static constexpr const char *kAcc = "acc";
  std::string name;
  tir::Buffer output;
  std::vector<tir::Buffer> inputs;
  std::vector<IterVar> axes;
  Combiner combiner = Combiner::None;
  tir::Expr init;
  tir::Expr cond;
  tir::Expr value;
  tir::Expr epilogue;
  int64_t flops_per_point = 1;  // nominal, per point of the full iteration domain (informative:
                                // PrimFunc::flops is the exact tir::executed_flops)

  size_t num_spatial() const { return output->shape.size(); }
};

}  // namespace swtc::schedule
