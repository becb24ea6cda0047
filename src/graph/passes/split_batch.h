// split_batch: the graph one MPI rank runs when `--ranks N` splits the batch
// across N ranks (one process per rank: a Sunway core group, or a host
// process with its threads; each with its own slice of the batch, no
// communication during the run: data-parallel inference).
#pragma once

#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace swtc::graph {

/// Returns the graph for one of `ranks` ranks: the same network on batch
/// B / ranks, where B is dim 0 of the first graph input. With ranks == 1 the
/// graph is returned unchanged.
///
/// The graph must be batch-separable, which is checked first (user_error
/// naming the node, op and reason, e.g. "node 'r' (Reshape): its target shape
/// mixes the batch with other dims, so --ranks cannot split it"):
///  - B is divisible by ranks and B > 1;
///  - every graph input and output, and every value computed from an input,
///    has dim 0 == B (values computed from constants only are constants);
///  - every node keeps samples independent: per-sample ops (Conv, pools,
///    BatchNormalization, LayerNormalization with axis >= 1, unary
///    elementwise) read the batch only through input 0; broadcasting ops (Add,
///    Sub, Mul, Div, Pow, Equal, Where, MatMul's batch dims) read batched
///    inputs of the output's rank and constants with dim 0 == 1 (or of lower
///    rank); Gemm reads the batch as rows of A (transA 0) only; Concat, Split,
///    Softmax, reductions and Gather work on axes other than 0; Transpose keeps
///    perm[0] == 0; Squeeze/Unsqueeze do not touch axis 0; Flatten has
///    axis >= 1; Reshape, Slice and Expand keep dim 0 == B (their static
///    parameters are rewritten to the slice).
/// Pre: canonicalized (Reshape/Expand `shape`, Slice `starts`/`ends`/`steps`
/// attributes over every axis, normalized axes). Shapes are re-inferred and
/// the result verified. The input is not modified.
Graph split_batch(const Graph &g, int ranks);

/// "" if runs of the graph over consecutive chunks of samples stacked along
/// dim 0 give the outputs of the stacked samples (the runner's throughput
/// mode): batch 1 with dim 0 == 1 on every input and output, or a batch > 1
/// that split_batch could split (its checks); else the reason.
std::string samples_independent_problem(const Graph &g);

}  // namespace swtc::graph
