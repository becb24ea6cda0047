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

/// Compile-time data of values, by value id (nullopt: known only at run time).
using KnownValues = std::vector<std::optional<TensorData>>;

/// infer_shapes that also returns the values it could compute at compile time
/// (which it needs for shape-determining inputs such as Reshape's shape or
/// Slice's starts): constants and Constant nodes, the output of Shape (every
/// shape is static), and I64 tensors of at most 65536 elements computed from
/// known inputs by Size, Identity, Dropout, Reshape, Flatten, Squeeze, Unsqueeze,
/// Cast, Gather, Concat, Slice, Add, Sub, Mul, Div, Neg, Equal, Where,
/// ConstantOfShape and Expand.
KnownValues infer_shapes_with_values(Graph &g);

/// `axis` in [-rank, rank) made non-negative; user_error naming the node if out
/// of range (`what` names the attribute in the message).
int64_t normalize_axis(const Graph &g, int node_id, int64_t axis, int64_t rank,
                       const char *what = "axis");

/// A list of axes made non-negative and sorted; user_error on out-of-range or
/// repeated axes.
std::vector<int64_t> normalize_axes(const Graph &g, int node_id, std::vector<int64_t> axes,
                                    int64_t rank, const char *what = "axes");

/// Slice parameters resolved per input axis (ONNX clamping rules): the output
/// element with index i on axis a reads input index starts[a] + i * steps[a].
/// `ends` is ONNX-valid and reproduces the same slice when normalized again:
/// the clamped exclusive end, except that a negative-step slice that runs down
/// to index 0 has end -(dim + 1) (ONNX's spelling of "before index 0").
struct SliceParams {
  std::vector<int64_t> starts, ends, steps;
  Shape out;  // the output shape
};
/// `axes` empty means [0, starts.size()); `steps` empty means all 1.
SliceParams resolve_slice(const Graph &g, int node_id, const Shape &in,
                          const std::vector<int64_t> &starts, const std::vector<int64_t> &ends,
                          std::vector<int64_t> axes, std::vector<int64_t> steps);

/// Pad's amounts for every axis, ONNX-ordered [b_0, .., b_r-1, e_0, .., e_r-1],
/// from its `pads` and the `axes` they apply to (empty: all, opset 18).
/// user_error naming the node on a wrong count or axis.
std::vector<int64_t> expand_pads(const Graph &g, int node_id, const std::vector<int64_t> &pads,
                                 const std::vector<int64_t> &axes, size_t rank);

/// Output dtype of Cast for ONNX type code `to` (FLOAT/DOUBLE/FLOAT16 -> F32,
/// INT16 -> I64 (shape subgraphs only: the Cast kernel refuses these three),
/// the other integer types and BOOL as themselves); user_error otherwise.
DType cast_target(const Graph &g, int node_id, int64_t to);

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

/// ConvTranspose's window (canonical: explicit pads, no auto_pad or
/// output_shape): x [N, C, spatial...], weight [C, M / group, kernel...].
struct TransposedWindow {
  std::vector<int64_t> kernel, strides, dilations, pads, output_padding;  // pads: begins, ends
  int64_t group = 1;
  Shape out;  // [N, M, spatial...]
};

/// Resolves ConvTranspose node `n` of `g` (ONNX rules: output_shape and
/// auto_pad give the pads; output = stride * (in - 1) + output_padding +
/// (kernel - 1) * dilation + 1 - pads). user_error on bad input.
TransposedWindow resolve_transposed_window(const Graph &g, const Node &n);

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
