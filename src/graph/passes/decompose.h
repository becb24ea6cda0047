// Decomposition of composite ops into the primitive ops swtc lowers:
// Softmax and LayerNormalization become reductions and elementwise ops; a
// 1-D Conv a 2-D one with a unit axis, a 3-D Conv a sum of 2-D Convs over its
// depth taps (decompose.cpp says how each op is rewritten).
#pragma once

#include "graph/graph.h"

namespace swtc::graph {

/// Softmax(x)            -> e = Exp(x - ReduceMax(x)); e / ReduceSum(e)
/// LayerNormalization(x) -> d = x - ReduceMean(x); d / Sqrt(ReduceMean(d*d) + eps) * scale + bias
/// over the normalized axes (keepdims), numerically the usual stable forms.
/// Pre: canonicalized (explicit `axis`, `coerce_2d`, `epsilon`).
Graph decompose(const Graph &g);

}  // namespace swtc::graph
