// Structural checks of a graph. A failure is a bug in swtc (internal_error):
// the importer and every pass must produce graphs that pass.
#pragma once

#include "graph/graph.h"

namespace swtc::graph {

/// Checks: value ids in range; every value produced at most once and its
/// `producer` field consistent; nodes in topological order (each input defined
/// before use: a graph input, a constant or an earlier node's output); graph
/// inputs are not constants and not produced; graph outputs defined; every
/// value used has a shape (run after infer_shapes); op arity per op; unique
/// value names.
void verify(const Graph &g);

}  // namespace swtc::graph
