// Epilogue fusion: an elementwise kernel (bias, Relu, Clip, residual Add, ...)
// is merged into the kernel that produces its input, so the producer applies
// it before its result leaves registers / LDM.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "lower/lower.h"

namespace swtc::lower {

/// Merges elementwise kernels into their producers where
///   - the consumer has no reduction and the producer's output shape,
///   - it reads the producer's output only at its own output index,
///   - nothing else uses the producer's output (graph node or graph output),
///   - every other input of the consumer is ready before the producer runs.
/// `alias_of[v] >= 0` marks views (their uses count for their source).
/// The reference interpreter's answer is unchanged: only where values are
/// computed changes, not what.
std::vector<Kernel> fuse_epilogues(const graph::Graph &g, std::vector<Kernel> kernels,
                                   const std::vector<int> &alias_of);

}  // namespace swtc::lower
