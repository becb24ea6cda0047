// Winograd's minimal filtering F(m x m, 3 x 3) for 3x3 stride-1 convolutions
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
// a Conv becomes three kernels over tiles of m x m outputs (a = m + 2):
//   1. input transform   V[n, e, c, ty, tx] = sum_ij BB[e, i, j] x[n, c, m ty + i - pt, m tx + j - pl]
//   2. a batched product M[n, e, k, t]       = sum_c U[e, k, c] V[n, e, c, t]
//   3. output transform  y[n, k, h, w]       = sum_e AA[h % m, w % m, e] M[n, e, k, h / m, w / m] (+ bias)
// with U = G g G^T computed here from the constant weight g (in double), and
// BB, AA the outer products of B^T's and A^T's rows. Step 2 carries a
// (a/m)^2 / 9 share of the direct convolution's multiply-adds (4/9 for
// m = 2, 1/4 for m = 4); its schedule is the MatMul micro-kernel's.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "lower/lower.h"

namespace swtc::lower {

/// Whether Conv node `node_id` can be computed so: float32, 2-D, 3x3 kernel,
/// unit strides and dilations, one group, a constant weight.
bool winograd_applicable(const graph::Graph &g, int node_id);

/// The three kernels of Conv node `node_id` by F(m x m, 3 x 3), m in {2, 4}.
/// Adds to `g` the constants (U, BB, AA) and the intermediate tensors, two
/// of which are views (V's and M's other shapes): `alias_of` is grown to
/// the new value count with those views marked.
/// Pre: winograd_applicable(g, node_id).
std::vector<Kernel> lower_conv_winograd(graph::Graph &g, int node_id, int m,
                                        std::vector<int> &alias_of);

}  // namespace swtc::lower
