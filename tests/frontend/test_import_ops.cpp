// Import of the transformer / MobileNet ops in their opset-specific forms.
#include <gtest/gtest.h>

#include "common/error.h"
#include "frontend/onnx/onnx_import.h"
#include "graph/passes/canonicalize.h"
#include "onnx_builder.h"

namespace swtc::frontend {
namespace {

using namespace swtc::test;  // NOLINT: the builder helpers
using graph::DType;
using graph::Graph;
using graph::OpKind;
using graph::Shape;

const graph::Value &value(const Graph &g, const std::string &name) {
  int id = g.find_value(name);
  EXPECT_GE(id, 0) << name;
  return g.values.at(static_cast<size_t>(id));
}

TEST(ImportOps, ShapeSubgraphReshapeImportsAndCanonicalizes) {
  std::string bytes = make_model(
      {make_node("Shape", {"x"}, {"s"}),
       make_node("Gather", {"s", "zero"}, {"d0"}, {attr_int("axis", 0)}),
       make_node("Unsqueeze", {"d0", "ax"}, {"d0u"}),
       make_node("Concat", {"d0u", "m1"}, {"target"}, {attr_int("axis", 0)}),
       make_node("Reshape", {"x", "target"}, {"y"})},
      {make_input("x", {2, 3, 4})},
      {make_tensor_i64("zero", {}, {0}), make_tensor_i64("ax", {1}, {0}),
       make_tensor_i64("m1", {1}, {-1})},
      13);
  Graph g = import_onnx_bytes(bytes, "m");
  EXPECT_EQ(value(g, "y").shape, (Shape{2, 12}));
  EXPECT_EQ(value(g, "target").dtype, DType::I64);
  Graph c = graph::canonicalize(g);
  for (const graph::Node &n : c.nodes)
    if (n.op == OpKind::Reshape) {
      EXPECT_EQ(n.inputs.size(), 1u);
    }
}

TEST(ImportOps, OpsetFormsOfStaticParameters) {
  // opset 11: Unsqueeze / Squeeze / ReduceMean axes attributes, Clip inputs, Softmax 2-D.
  std::string b11 = make_model(
      {make_node("Unsqueeze", {"x"}, {"u"}, {attr_ints("axes", {0})}),
       make_node("Clip", {"u", "lo", "hi"}, {"c"}),
       make_node("ReduceMean", {"c"}, {"r"}, {attr_ints("axes", {-1}), attr_int("keepdims", 0)}),
       make_node("Softmax", {"r"}, {"y"})},
      {make_input("x", {3, 4})},
      {make_tensor_f32("lo", {}, {0.0f}), make_tensor_f32("hi", {}, {6.0f})}, 11);
  Graph g11 = import_onnx_bytes(b11, "m11");
  EXPECT_EQ(value(g11, "u").shape, (Shape{1, 3, 4}));
  EXPECT_EQ(value(g11, "y").shape, (Shape{1, 3}));
  Graph c11 = graph::canonicalize(g11);
  for (const graph::Node &n : c11.nodes) {
    if (n.op == OpKind::Clip) {
      EXPECT_EQ(n.attr_float("max", 0), 6.0f);
    }
    if (n.op == OpKind::Softmax) {
      EXPECT_EQ(n.attr_int("coerce_2d", -1), 0);  // axis 1 is the last axis
    }
  }
  // opset 9: Clip attributes, Slice attributes.
  std::string b9 = make_model(
      {make_node("Clip", {"x"}, {"c"}, {attr_float("min", 0.0f), attr_float("max", 6.0f)}),
       make_node("Slice", {"c"}, {"y"},
                 {attr_ints("starts", {1}), attr_ints("ends", {100}), attr_ints("axes", {1})})},
      {make_input("x", {3, 4})}, {}, 9);
  Graph g9 = import_onnx_bytes(b9, "m9");
  EXPECT_EQ(value(g9, "y").shape, (Shape{3, 3}));
  // opset 13: Squeeze axes input, Split sizes input.
  std::string b13 = make_model(
      {make_node("Squeeze", {"x", "ax"}, {"s"}),
       make_node("Split", {"s", "sizes"}, {"p", "q"}, {attr_int("axis", 0)})},
      {make_input("x", {1, 5})},
      {make_tensor_i64("ax", {1}, {0}), make_tensor_i64("sizes", {2}, {2, 3})}, 13);
  Graph g13 = import_onnx_bytes(b13, "m13");
  EXPECT_EQ(value(g13, "p").shape, (Shape{2}));
  EXPECT_EQ(value(g13, "q").shape, (Shape{3}));
}

TEST(ImportOps, DropoutMaskAndLayerNormOpset17) {
  // The mask output at inference: a bool tensor of the input's shape (all
  // true; canonicalize makes it a constant).
  std::string drop = make_model({make_node("Dropout", {"x"}, {"y", "mask"}, {}, "drop")},
                                {make_input("x", {2, 3})}, {}, 13, {"y", "mask"});
  Graph gd = import_onnx_bytes(drop, "m");
  EXPECT_EQ(value(gd, "mask").shape, (Shape{2, 3}));
  EXPECT_EQ(value(gd, "mask").dtype, graph::DType::Bool);
  std::string ln = make_model(
      {make_node("LayerNormalization", {"x", "s", "b"}, {"y"},
                 {attr_int("axis", -1), attr_float("epsilon", 1e-5f)})},
      {make_input("x", {2, 3, 8})},
      {make_tensor_f32("s", {8}, std::vector<float>(8, 1.0f)),
       make_tensor_f32("b", {8}, std::vector<float>(8, 0.0f))},
      17);
  Graph g = import_onnx_bytes(ln, "ln");
  EXPECT_EQ(value(g, "y").shape, (Shape{2, 3, 8}));
}

}  // namespace
}  // namespace swtc::frontend
