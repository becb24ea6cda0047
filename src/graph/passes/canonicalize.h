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
///  - static parameters that ONNX passes as inputs in newer opsets become
///    attributes (the inputs are dropped; a parameter computed at run time is
///    a user_error "node 'x' (Slice): starts must be a constant"):
///    Clip `min`/`max` floats (-inf/+inf defaults); Slice `starts`/`ends`/
///    `axes`/`steps` over every axis (axes = [0..r-1], starts clamped into the
///    axis, see SliceParams for ends); Squeeze/Unsqueeze `axes` sorted
///    non-negative (Squeeze without axes: the size-1 axes); ReduceMean/Sum/Max
///    `axes` sorted non-negative (all axes if none) and `keepdims` 0/1 (a
///    reduction over no axes becomes an Identity and disappears); Expand
///    `shape` = the output shape; Split `axis` non-negative and `split` sizes;
///  - Concat, Gather, LayerNormalization `axis` non-negative; constant Gather
///    indices non-negative; LayerNormalization `epsilon`; Transpose `perm`;
///    Softmax `axis` non-negative and `coerce_2d` (1: normalize jointly over
///    all axes >= axis, the opset < 13 semantics, unless axis is the last);
///  - Dropout is removed like Identity;
///  - Shape, ConstantOfShape and I64 nodes whose value is known at compile
///    time become constants (unless their output is a graph output);
///  - values no longer used (dead constants) are removed.
/// Shapes are re-inferred and the result verified. The input is not modified.
Graph canonicalize(const Graph &g);

}  // namespace swtc::graph
