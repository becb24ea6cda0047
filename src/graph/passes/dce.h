// Dead-code elimination.
#pragma once

#include "graph/graph.h"

namespace swtc::graph {

/// Returns a new graph without the nodes none of whose outputs is used (by a
/// kept node or as a graph output), repeatedly, and without the values nothing
/// refers to any more (unused constants). Graph inputs stay even if unused.
/// Shapes are re-inferred and the result verified. The input is not modified.
Graph eliminate_dead_code(const Graph &g);

}  // namespace swtc::graph
