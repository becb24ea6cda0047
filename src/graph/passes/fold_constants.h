// Constant folding with the reference interpreter.
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace swtc::graph {

/// Largest node output (elements) fold_constants materializes.
constexpr int64_t kMaxFoldElements = int64_t{16} << 20;

/// Returns a new graph in which every node whose inputs are all constants
/// (initializers; Constant nodes count, having no inputs) is evaluated with the
/// reference interpreter and replaced by constant values; Shape nodes fold
/// whatever their input (every shape is static). Nodes are visited in order,
/// so whole shape subgraphs (Shape -> Gather -> Unsqueeze -> Concat -> ...)
/// fold. Not folded: nodes with an output above kMaxFoldElements elements,
/// and nodes producing a graph output (so graph outputs stay computed).
/// Dead code is then eliminated (eliminate_dead_code: unused nodes and
/// constants), shapes re-inferred and the result verified. Works on imported
/// and canonicalized graphs. The input is not modified.
Graph fold_constants(const Graph &g);

}  // namespace swtc::graph
