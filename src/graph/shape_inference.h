// Shape inference: the dtype and static shape of every node output, following
// the ONNX operator specs. Also the shape rules other stages reuse (window
// geometry of Conv / pools, numpy broadcasting, Reshape target resolution).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "graph/graph.h"

namespace swtc::graph {

/// Computes dtype and shape of every node output (in node order) from the
/// inputs, constants and attributes. Constant values get their shape from their
/// data. Any problem in the model is a user_error naming the node
/// (`g.describe(i)`) and the offending shapes.
void infer_shapes(Graph &g);

/// The sliding-window geometry of a Conv / MaxPool / AveragePool node with
/// auto_pad resolved into explicit pads. All vectors have one entry per
/// spatial axis, except `pads` which is ONNX-ordered [b1, b2, ..., e1, e2, ...].
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;
  std::vector<int64_t> in_spatial, out_spatial;
  int64_t group = 1;        // Conv only
  bool ceil_mode = false;   // pools only
  bool count_include_pad = false;  // AveragePool only
};

/// Resolves the window of node `node_id` (Conv, MaxPool or AveragePool) from its
/// attributes and input shapes (which must be known). user_error on bad input.
Window resolve_window(const Graph &g, int node_id);

/// Multidirectional (numpy) broadcast of two shapes; nullopt if incompatible.
std::optional<Shape> broadcast_shapes(const Shape &a, const Shape &b);

/// Output shape of Reshape: `in` reshaped to `target` (ONNX rules for 0 and -1
/// with `allowzero`). user_error naming node `node_id` if invalid.
Shape resolve_reshape(const Graph &g, int node_id, const Shape &in,
                      const std::vector<int64_t> &target, bool allowzero);

/// The TensorData a Constant node produces (attr value / value_float /
/// value_floats / value_int / value_ints). user_error if none or unsupported.
TensorData constant_node_data(const Graph &g, int node_id);

/// The data of a value known at compile time: an initializer or the output of a
/// Constant node; nullopt otherwise.
std::optional<TensorData> constant_value(const Graph &g, int value_id);

}  // namespace swtc::graph
