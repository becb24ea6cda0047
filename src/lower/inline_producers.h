// Producer inlining: an elementwise kernel whose every reader reads each of
// its elements at most once (elementwise kernels and reductions over it,
// e.g. the decomposed LayerNorm's x - mean, read by the square and by the
// normalisation; Softmax's exp(x - max), read by the sum and the division)
// is computed inside those readers instead of by a kernel of its own, so its
// result never makes a round trip through main memory and one launch is
// saved.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "lower/lower.h"

namespace swtc::lower {

/// Removes each kernel P that
///   - is elementwise (no reduction, no guard, no gather: no load at an
///     index computed from a load) with a float output and one graph node
///     (not a copy, not a Split part),
///   - whose output is no graph output, has no view, and is read only by
///     kernels after it (as many kernel parameters as the graph has uses),
///   - each of whose readers is a float kernel of one graph node (not a
///     reduction to one element), not a
///     Concat (or a row transpose, transpose_rows.h), with at most two loads of P's output (x * x), none in its
///     init, and no more points than P has elements in the domain those
///     loads run over (its whole iteration domain for loads in its value,
///     its output for loads in its epilogue): no recomputation across
///     points, as a Conv or a MatMul reader would cause,
/// by substituting P's value (P's axes replaced by the load's indices, P's
/// inputs added to the reader's parameters) for every load of P's output.
/// The reader keeps its name; P's node joins its `fused` list (first).
/// Run after fuse_epilogues, and again after transpose_matmul_rows (a
/// GELU or a LayerNorm's last kernel then computed by the transpose that
/// reads it). The reference interpreter's answer is
/// unchanged: only where values are computed changes (P's value is
/// recomputed by each reader).
/// `math_into_reductions` false (the host): a P that calls a math function
/// (Softmax's exp) is not inlined into a reduction (there the C compiler
/// no longer vectorises the loop: BERT's Softmax sums took 0.75 -> 5.4 ms).
std::vector<Kernel> inline_producers(const graph::Graph &g, std::vector<Kernel> kernels,
                                     const std::vector<int> &alias_of,
                                     bool math_into_reductions = true);

}  // namespace swtc::lower
