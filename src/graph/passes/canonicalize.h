// canonicalize: the normal form later passes and lowering rely on.
#pragma once

#include "graph/graph.h"

namespace swtc::graph {

/// Returns a new graph in which
///  - Constant nodes are constant values (initializers);
///  - Identity nodes are gone, their uses rewired to the source value (when an
///    Identity output is a graph output, its producer outputs it directly if
///    possible, otherwise the Identity stays so the graph output keeps its name);
///  - Conv / MaxPool / AveragePool carry explicit kernel_shape, strides, pads,
///    dilations (auto_pad resolved and removed), Conv group, pool ceil_mode,
///    AveragePool count_include_pad;
///  - Gemm carries alpha, beta, transA, transB; BatchNormalization epsilon
///    (momentum / training_mode dropped); Flatten a non-negative axis;
///  - Reshape has a single input and an int-list attribute `shape` holding the
///    final output shape (no 0 / -1), allowzero dropped;
///  - values no longer used (dead constants) are removed.
/// Shapes are re-inferred and the result verified. The input is not modified.
Graph canonicalize(const Graph &g);

}  // namespace swtc::graph
