// Transposed row operands: a MatMul with a constant weight whose row operand
// A ([1, ..., M, K]) is first copied transposed ([K, M]) by a kernel of its
// own, so that the MatMul reads a reduce step's rows of all M output rows as
// one contiguous run (on Sunway: one broadcast to every CPE, each CPE its own
// weight columns; docs/design.md).
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "lower/lower.h"

namespace swtc::lower {

/// Rewrites every MatMul kernel (node op MatMul, with or without fused
/// epilogues) whose second input is a 2-D constant weight [K, N] and whose
/// first input A is a non-constant [1, ..., 1, M, K] read only as its row
/// operand, with M >= min_rows, K >= min_k and N >= min_n: a new value A^T
/// ([K, M], added to `g`) is written by a transpose kernel placed before the
/// first kernel that reads it (one per distinct A, shared by every such
/// MatMul), and the MatMul reads A^T[k, m] instead of A[.., m, k]. The graph's
/// nodes are unchanged (the reference interpreter's answer too); only where
/// the kernels read their operand changes. Returns the kernels in order.
std::vector<Kernel> transpose_matmul_rows(graph::Graph &g, std::vector<Kernel> kernels,
                                          int64_t min_rows, int64_t min_k, int64_t min_n);

/// True for a transpose kernel transpose_matmul_rows added (named
/// "<first reader's kernel name>_a_t", no graph node).
bool is_row_transpose(const Kernel &k);

}  // namespace swtc::lower
