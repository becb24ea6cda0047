// Concat in place: the kernels producing a Concat's inputs write straight
// into their parts of its output, and the Concat's copy kernel goes away.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "lower/lower.h"

namespace swtc::lower {

/// Removes the kernel of every Concat whose parts are contiguous byte ranges
/// of its output (every dim before the axis is 1, e.g. channels at batch 1)
/// and whose inputs can be computed there: each is written by one earlier
/// kernel, is not a graph input, output, constant or view, is not another
/// Concat's part, appears once, and starts at a 64-byte multiple; the Concat
/// has no fused epilogue and its output is not a graph output. For each
/// such input v: alias_of[v] = the Concat's output, alias_offset[v] = the
/// byte offset of its part (graph::plan_memory places it there). Both
/// vectors are indexed by value id and grown to the graph's value count.
/// Returns the kernels left, in order; `placed` (if given) gets the removed
/// kernels' names.
std::vector<Kernel> place_concats(const graph::Graph &g, std::vector<Kernel> kernels,
                                  std::vector<int> &alias_of,
                                  std::vector<int64_t> &alias_offset,
                                  std::vector<std::string> *placed = nullptr);

}  // namespace swtc::lower
