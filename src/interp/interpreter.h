// The reference interpreter: straightforward loops, computing and accumulating
// in double; integer arithmetic exactly in 64 bits. Every optimisation is
// checked against it.
#pragma once

#include <vector>

#include "graph/graph.h"

namespace swtc::interp {

/// Runs g with the given inputs (graph input order; dtype and shape must match
/// the graph inputs, else a user_error naming the input), computing and
/// accumulating in double (integer values and arithmetic exactly in 64 bits:
/// see exec_int in interpreter.cpp); returns the graph outputs (graph output order) as
/// TensorData (F32 outputs rounded to float). Works on the raw imported graph
/// (ONNX attribute defaults, auto_pad, Constant / Identity nodes, Reshape with
/// a shape input) and on the canonicalized one. Shapes are inferred on a copy
/// if the graph lacks them.
std::vector<graph::TensorData> run(const graph::Graph &g,
                                   const std::vector<graph::TensorData> &inputs);

}  // namespace swtc::interp
