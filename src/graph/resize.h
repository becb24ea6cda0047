// Resize / Upsample: the parameters of a node and the interpolation taps of
// each axis, shared by the shape rule, canonicalization, the decomposition
// into per-axis MatMuls and the reference interpreter.
//
// The coordinate and coefficient rules are those of the ONNX reference
// implementation (onnx/backend/test/case/node/resize.py, which produces the
// node tests' expected data): per axis, an output index x maps to an input
// coordinate x_original by the coordinate_transformation_mode; the output is
// a weighted sum of the 2 (nearest, linear) or 4 (cubic) input elements
// nearest to it, indices clamped to the axis (edge padding). The N-D
// interpolation is separable: one axis after the other, the innermost first.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"

namespace swtc::graph {

struct ResizeParams {
  std::string mode = "nearest";        // nearest | linear | cubic
  std::string coord = "half_pixel";    // coordinate_transformation_mode
  std::string nearest = "round_prefer_floor";
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0.0;          // tf_crop_and_resize outside the roi
  Shape out;                           // output shape
  std::vector<float> scales;           // per axis when given as scales; empty: from sizes
  std::vector<float> roi;              // starts then ends (2 x rank); tf_crop_and_resize only
};

/// Input k of the node as doubles, nullopt if it is omitted or empty; it
/// stops with a named error if the input is computed at run time.
using ResizeInput = std::function<std::optional<std::vector<double>>(size_t k)>;

/// The parameters of Resize (opset 10, 11+, or its canonical form: one input,
/// attributes `scales` or `sizes`, `roi`) or Upsample (opset 7 attribute, 9
/// input) node `n` of `g` whose input 0 has shape `in`. Stops with the named
/// "not supported" error for what swtc does not run.
ResizeParams resize_params(const Graph &g, const Node &n, const Shape &in,
                           const ResizeInput &input);

/// The canonical attributes of `p` (the node then has one input).
std::map<std::string, AttrValue> resize_attrs(const ResizeParams &p);

/// One output index of an axis: (input index, weight) pairs, indices within
/// the axis and distinct; empty if the point lies outside the roi
/// (tf_crop_and_resize: the output is `extrapolation`).
using ResizeTaps = std::vector<std::vector<std::pair<int64_t, double>>>;

/// The taps of every output index of axis `axis` (input extent `in`).
ResizeTaps resize_taps(const ResizeParams &p, size_t axis, int64_t in);

/// Whether the taps copy the axis unchanged (output i = input i).
bool resize_identity(const ResizeTaps &t, int64_t in);

}  // namespace swtc::graph
