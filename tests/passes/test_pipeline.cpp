// The graph pass list of driver::compile_graph (fold_constants, canonicalize,
// fold_batchnorm + canonicalize, decompose, eliminate_dead_code) on models
// imported from ONNX bytes: each pass's result verifies and keeps the
// reference interpreter's answer; the composite and shape ops are gone at the end.
#include <gtest/gtest.h>

#include <functional>

#include "common/error.h"
#include "compare.h"
#include "frontend/onnx/onnx_import.h"
#include "graph/passes/canonicalize.h"
#include "graph/passes/dce.h"
#include "graph/passes/decompose.h"
#include "graph/passes/fold_batchnorm.h"
#include "graph/passes/fold_constants.h"
#include "graph/printer.h"
#include "graph/verifier.h"
#include "graph_builder.h"
#include "interp/interpreter.h"
#include "onnx_builder.h"

namespace swtc::graph {
namespace {

using test::attr_float;
using test::attr_int;
using test::attr_ints;
using test::attr_string;
using test::count_op;
using test::make_input;
using test::make_model;
using test::make_node;
using test::make_tensor_f32;
using test::make_tensor_i64;
using test::random_tensor;
using test::same_outputs;

std::vector<float> rand_vec(int64_t n, unsigned seed, float lo = -1.0f, float hi = 1.0f) {
  return random_tensor({n}, seed, lo, hi).f32;
}

/// Conv(+bias) -> BatchNormalization (trained-like statistics) -> Relu, as ONNX
/// nodes and initializers; output `out`.
void conv_bn_relu(std::vector<onnx::NodeProto> &nodes, std::vector<onnx::TensorProto> &inits,
                  const std::string &in, int64_t cin, int64_t cout, const std::string &out,
                  unsigned seed) {
  inits.push_back(make_tensor_f32("W", {cout, cin, 3, 3}, rand_vec(cout * cin * 9, seed)));
  inits.push_back(make_tensor_f32("B", {cout}, rand_vec(cout, seed + 1)));
  inits.push_back(make_tensor_f32("bn_scale", {cout}, rand_vec(cout, seed + 2, 0.75f, 1.25f)));
  inits.push_back(make_tensor_f32("bn_bias", {cout}, rand_vec(cout, seed + 3, -0.5f, 0.5f)));
  inits.push_back(make_tensor_f32("bn_mean", {cout}, rand_vec(cout, seed + 4, -0.1f, 0.1f)));
  inits.push_back(make_tensor_f32("bn_var", {cout}, rand_vec(cout, seed + 5, 0.75f, 1.25f)));
  nodes.push_back(make_node("Conv", {in, "W", "B"}, {"conv_out"},
                            {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})},
                            "conv"));
  nodes.push_back(make_node("BatchNormalization",
                            {"conv_out", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, {"bn_out"},
                            {attr_float("epsilon", 1e-5f), attr_float("momentum", 0.9f)}, "bn"));
  nodes.push_back(make_node("Relu", {"bn_out"}, {out}, {}, "relu"));
}

/// Shape -> Gather(0) -> Unsqueeze -> Concat with [-1] -> Reshape: flattens
/// `in` to [N, -1] with the batch size computed at run time (as exporters do).
void dynamic_flatten(std::vector<onnx::NodeProto> &nodes, std::vector<onnx::TensorProto> &inits,
                     const std::string &in, const std::string &out) {
  inits.push_back(make_tensor_i64("zero", {}, {0}));
  inits.push_back(make_tensor_i64("axes0", {1}, {0}));
  inits.push_back(make_tensor_i64("minus1", {1}, {-1}));
  nodes.push_back(make_node("Shape", {in}, {"shape"}, {}, "shape"));
  nodes.push_back(make_node("Gather", {"shape", "zero"}, {"batch"}, {attr_int("axis", 0)},
                            "gather"));
  nodes.push_back(make_node("Unsqueeze", {"batch", "axes0"}, {"batch1"}, {}, "unsqueeze"));
  nodes.push_back(make_node("Concat", {"batch1", "minus1"}, {"target"}, {attr_int("axis", 0)},
                            "concat"));
  nodes.push_back(make_node("Reshape", {in, "target"}, {out}, {}, "reshape"));
}

using Pass = std::function<Graph(const Graph &)>;

/// The driver's pass list, in order.
std::vector<std::pair<std::string, Pass>> driver_passes() {
  return {
      {"fold_constants", [](const Graph &g) { return fold_constants(g); }},
      {"canonicalize", [](const Graph &g) { return canonicalize(g); }},
      {"fold_batchnorm", [](const Graph &g) { return canonicalize(fold_batchnorm(g)); }},
      {"decompose", [](const Graph &g) { return decompose(g); }},
      {"dce", [](const Graph &g) { return eliminate_dead_code(g); }},
  };
}

/// Runs the pass list on `g`, verifying after each pass and comparing the
/// interpreter's answer with the imported graph's. Returns the final graph.
Graph run_pipeline(const Graph &imported, const std::vector<TensorData> &inputs) {
  verify(imported);
  const auto want = interp::run(imported, inputs);
  Graph g = imported;
  for (const auto &[name, pass] : driver_passes()) {
    SCOPED_TRACE("after " + name);
    try {
      g = pass(g);
    } catch (const std::exception &e) {
      ADD_FAILURE() << name << " threw: " << e.what() << "\non\n" << to_text(g);
      return g;
    }
    EXPECT_NO_THROW(verify(g)) << to_text(g);
    EXPECT_EQ(g.outputs.size(), imported.outputs.size());
    try {
      EXPECT_TRUE(same_outputs(interp::run(g, inputs), want)) << to_text(g);
    } catch (const std::exception &e) {
      ADD_FAILURE() << "interp::run after " << name << ": " << e.what() << "\n" << to_text(g);
    }
  }
  return g;
}

void expect_primitive(const Graph &g) {
  for (OpKind op : {OpKind::Shape, OpKind::Gather, OpKind::Softmax, OpKind::BatchNormalization,
                    OpKind::LayerNormalization, OpKind::Unsqueeze, OpKind::Concat,
                    OpKind::Identity})
    EXPECT_EQ(count_op(g, op), 0) << op_name(op) << " remains in\n" << to_text(g);
}

TEST(Pipeline, ShapeSubgraphSoftmaxAndConvBatchNorm) {
  std::vector<onnx::NodeProto> nodes;
  std::vector<onnx::TensorProto> inits;
  conv_bn_relu(nodes, inits, "x", 3, 4, "r", 1);
  dynamic_flatten(nodes, inits, "r", "flat");
  nodes.push_back(make_node("Softmax", {"flat"}, {"y"}, {attr_int("axis", -1)}, "softmax"));
  const std::string bytes = make_model(nodes, {make_input("x", {2, 3, 6, 6})}, inits, 13);
  Graph imported = frontend::import_onnx_bytes(bytes, "pipeline");
  ASSERT_EQ(count_op(imported, OpKind::Shape), 1);
  ASSERT_EQ(count_op(imported, OpKind::Softmax), 1);
  ASSERT_EQ(count_op(imported, OpKind::BatchNormalization), 1);

  // Inputs scaled up so the softmax is far from uniform.
  std::vector<TensorData> in = {random_tensor({2, 3, 6, 6}, 7, -3.0f, 3.0f)};
  Graph g = run_pipeline(imported, in);
  expect_primitive(g);
  EXPECT_EQ(count_op(g, OpKind::Conv), 1);
  EXPECT_EQ(count_op(g, OpKind::Relu), 1);
  ASSERT_EQ(count_op(g, OpKind::Reshape), 1);
  for (const Node &n : g.nodes)
    if (n.op == OpKind::Reshape) {
      EXPECT_EQ(n.inputs.size(), 1u);
      EXPECT_EQ(n.attr_ints("shape", {}), (std::vector<int64_t>{2, 144}));
    }
  // The Softmax became reductions and elementwise ops.
  EXPECT_GE(count_op(g, OpKind::ReduceMax) + count_op(g, OpKind::ReduceSum), 2);
  EXPECT_GE(count_op(g, OpKind::Exp), 1);
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.values[g.outputs[0]].name, "y");
  EXPECT_EQ(g.values[g.outputs[0]].shape, (Shape{2, 144}));
}

TEST(Pipeline, Opset17LayerNormAndSoftmaxOnAMiddleAxis) {
  // Conv+BN -> Relu -> dynamic flatten to [N, 64] -> Reshape [N, 4, 16] ->
  // LayerNormalization over the last axis -> Softmax over axis 1.
  std::vector<onnx::NodeProto> nodes;
  std::vector<onnx::TensorProto> inits;
  conv_bn_relu(nodes, inits, "x", 2, 4, "r", 11);
  dynamic_flatten(nodes, inits, "r", "flat");
  inits.push_back(make_tensor_i64("shape3", {3}, {0, 4, 16}));
  nodes.push_back(make_node("Reshape", {"flat", "shape3"}, {"seq"}, {}, "reshape3"));
  inits.push_back(make_tensor_f32("ln_scale", {16}, rand_vec(16, 40, 0.5f, 1.5f)));
  inits.push_back(make_tensor_f32("ln_bias", {16}, rand_vec(16, 41)));
  nodes.push_back(make_node("LayerNormalization", {"seq", "ln_scale", "ln_bias"}, {"ln"},
                            {attr_int("axis", -1), attr_float("epsilon", 1e-5f)}, "ln"));
  nodes.push_back(make_node("Softmax", {"ln"}, {"y"}, {attr_int("axis", 1)}, "softmax"));
  const std::string bytes = make_model(nodes, {make_input("x", {3, 2, 4, 4})}, inits, 17);
  Graph imported = frontend::import_onnx_bytes(bytes, "pipeline17");
  std::vector<TensorData> in = {random_tensor({3, 2, 4, 4}, 8, -2.0f, 2.0f)};
  Graph g = run_pipeline(imported, in);
  expect_primitive(g);
  EXPECT_EQ(count_op(g, OpKind::Conv), 1);
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.values[g.outputs[0]].shape, (Shape{3, 4, 16}));
}

TEST(Pipeline, BatchNormThatCannotFoldStaysAndAnswersTheSame) {
  // The Conv output is also a graph output: fold_batchnorm leaves the BN, the
  // rest of the pipeline still keeps the answer.
  std::vector<onnx::NodeProto> nodes;
  std::vector<onnx::TensorProto> inits;
  conv_bn_relu(nodes, inits, "x", 3, 4, "y", 21);
  const std::string bytes =
      make_model(nodes, {make_input("x", {1, 3, 5, 5})}, inits, 13, {"y", "conv_out"});
  Graph imported = frontend::import_onnx_bytes(bytes, "nofold");
  std::vector<TensorData> in = {random_tensor({1, 3, 5, 5}, 9)};
  Graph g = run_pipeline(imported, in);
  EXPECT_EQ(count_op(g, OpKind::BatchNormalization), 1);
  EXPECT_EQ(count_op(g, OpKind::Conv), 1);
}

TEST(Pipeline, ResizeBecomesMatMulsWithConstantMatrices) {
  // Resize-13: linear half_pixel on H and W (scales), cubic on a middle axis
  // (sizes), tf_crop_and_resize with an extrapolated border; Upsample-9 is
  // canonicalized to a Resize too. Each resized axis is one MatMul (plus an
  // Add for the extrapolated rows); no Resize / Upsample is left.
  std::vector<onnx::NodeProto> nodes;
  std::vector<onnx::TensorProto> inits;
  inits.push_back(make_tensor_f32("sc", {4}, {1, 1, 2, 1.5f}));
  nodes.push_back(make_node("Resize", {"x", "", "sc"}, {"lin"},
                            {attr_string("mode", "linear")}, "lin"));
  inits.push_back(make_tensor_i64("sz", {4}, {2, 5, 4, 6}));
  nodes.push_back(make_node("Resize", {"x", "", "", "sz"}, {"cub"},
                            {attr_string("mode", "cubic")}, "cub"));
  inits.push_back(make_tensor_f32("roi", {8}, {0, 0, -0.25f, 0.1f, 1, 1, 0.8f, 1.3f}));
  inits.push_back(make_tensor_i64("szc", {4}, {2, 3, 5, 3}));
  nodes.push_back(make_node("Resize", {"x", "roi", "", "szc"}, {"crop"},
                            {attr_string("mode", "linear"),
                             attr_string("coordinate_transformation_mode", "tf_crop_and_resize"),
                             attr_float("extrapolation_value", 0.5f)},
                            "crop"));
  const std::string bytes = make_model(nodes, {make_input("x", {2, 3, 4, 6})}, inits, 13,
                                       {"lin", "cub", "crop"});
  Graph imported = frontend::import_onnx_bytes(bytes, "resize");
  std::vector<TensorData> in = {random_tensor({2, 3, 4, 6}, 12, -2.0f, 2.0f)};
  Graph g = run_pipeline(imported, in);
  EXPECT_EQ(count_op(g, OpKind::Resize), 0);
  EXPECT_EQ(count_op(g, OpKind::MatMul), 2 + 1 + 2);
  EXPECT_EQ(count_op(g, OpKind::Add), 2);  // both crop axes extrapolate
  EXPECT_EQ(g.values[g.outputs[0]].shape, (Shape{2, 3, 8, 9}));
  EXPECT_EQ(g.values[g.outputs[1]].shape, (Shape{2, 5, 4, 6}));
  EXPECT_EQ(g.values[g.outputs[2]].shape, (Shape{2, 3, 5, 3}));

  std::vector<onnx::NodeProto> up = {make_node("Upsample", {"x", "s"}, {"y"}, {}, "up")};
  std::vector<onnx::TensorProto> ups = {make_tensor_f32("s", {4}, {1, 1, 2, 3})};
  Graph imported9 =
      frontend::import_onnx_bytes(make_model(up, {make_input("x", {1, 2, 3, 4})}, ups, 9), "up9");
  Graph g9 = run_pipeline(imported9, {random_tensor({1, 2, 3, 4}, 13)});
  EXPECT_EQ(count_op(g9, OpKind::Upsample) + count_op(g9, OpKind::Resize), 0);
  EXPECT_EQ(count_op(g9, OpKind::MatMul), 2);
}

TEST(Pipeline, ConvTransposeBecomesPadAndConv) {
  // Stride 2 with groups and output_padding (constant weight: flipped at
  // compile time), a run-time weight (Transpose + Slice kernels), and 1-D.
  std::vector<onnx::NodeProto> nodes;
  std::vector<onnx::TensorProto> inits;
  inits.push_back(make_tensor_f32("w", {4, 3, 3, 2}, rand_vec(72, 50)));
  inits.push_back(make_tensor_f32("b", {6}, rand_vec(6, 51)));
  nodes.push_back(make_node("ConvTranspose", {"x", "w", "b"}, {"up"},
                            {attr_ints("strides", {2, 2}), attr_int("group", 2),
                             attr_ints("output_padding", {1, 0}),
                             attr_ints("pads", {1, 0, 0, 1})},
                            "up"));
  nodes.push_back(make_node("ConvTranspose", {"x", "wr"}, {"rt"},
                            {attr_ints("dilations", {1, 2})}, "rt"));
  inits.push_back(make_tensor_f32("w1", {2, 3, 4}, rand_vec(24, 52)));
  nodes.push_back(make_node("ConvTranspose", {"s", "w1"}, {"one"}, {attr_ints("strides", {3})},
                            "one"));
  const std::string bytes = make_model(
      nodes, {make_input("x", {2, 4, 3, 5}), make_input("wr", {4, 2, 2, 3}), make_input("s", {1, 2, 6})},
      inits, 13, {"up", "rt", "one"});
  Graph imported = frontend::import_onnx_bytes(bytes, "convtranspose");
  std::vector<TensorData> in = {random_tensor({2, 4, 3, 5}, 53), random_tensor({4, 2, 2, 3}, 54),
                                random_tensor({1, 2, 6}, 55)};
  Graph g = run_pipeline(imported, in);
  EXPECT_EQ(count_op(g, OpKind::ConvTranspose), 0);
  EXPECT_EQ(count_op(g, OpKind::Conv), 3);
  EXPECT_EQ(g.values[g.outputs[0]].shape, (Shape{2, 6, 7, 9}));
  EXPECT_EQ(g.values[g.outputs[1]].shape, (Shape{2, 2, 4, 9}));
  EXPECT_EQ(g.values[g.outputs[2]].shape, (Shape{1, 3, 19}));
}

TEST(Pipeline, Conv1dAnd3dBecome2dConvs) {
  // 1-D: one 2-D Conv with a unit H axis. 3-D (kernel depth 3, depth stride
  // 2, dilation 2, depth pads, groups, bias): one 2-D Conv per depth tap; a
  // run-time 3-D weight too (Slice kernels for its planes).
  std::vector<onnx::TensorProto> inits;
  inits.push_back(make_tensor_f32("w1", {4, 2, 3}, rand_vec(24, 60)));
  inits.push_back(make_tensor_f32("w3", {6, 2, 3, 2, 3}, rand_vec(216, 61)));
  inits.push_back(make_tensor_f32("b3", {6}, rand_vec(6, 62)));
  std::vector<onnx::NodeProto> nodes = {
      make_node("Conv", {"s", "w1"}, {"one"}, {attr_ints("pads", {2, 1}), attr_ints("strides", {2})},
                "one"),
      make_node("Conv", {"v", "w3", "b3"}, {"three"},
                {attr_ints("strides", {2, 1, 1}), attr_ints("dilations", {2, 1, 1}),
                 attr_ints("pads", {2, 0, 1, 1, 1, 0}), attr_int("group", 2)},
                "three"),
      make_node("Conv", {"v", "wr"}, {"rt"}, {attr_ints("strides", {1, 2, 1})}, "rt")};
  const std::string bytes =
      make_model(nodes,
                 {make_input("s", {2, 2, 9}), make_input("v", {2, 4, 7, 5, 6}),
                  make_input("wr", {3, 4, 2, 2, 2})},
                 inits, 13, {"one", "three", "rt"});
  Graph imported = frontend::import_onnx_bytes(bytes, "conv_nd");
  std::vector<TensorData> in = {random_tensor({2, 2, 9}, 63), random_tensor({2, 4, 7, 5, 6}, 64),
                                random_tensor({3, 4, 2, 2, 2}, 65)};
  Graph g = run_pipeline(imported, in);
  EXPECT_EQ(count_op(g, OpKind::Conv), 1 + 3 + 2);
  for (const Node &n : g.nodes)
    if (n.op == OpKind::Conv) {
      EXPECT_EQ(g.values[n.inputs[0]].shape.size(), 4u) << n.name;
    }
  EXPECT_EQ(g.values[g.outputs[0]].shape, (Shape{2, 4, 5}));
  EXPECT_EQ(g.values[g.outputs[1]].shape, (Shape{2, 6, 3, 5, 5}));
  EXPECT_EQ(g.values[g.outputs[2]].shape, (Shape{2, 3, 6, 2, 5}));
}

}  // namespace
}  // namespace swtc::graph
