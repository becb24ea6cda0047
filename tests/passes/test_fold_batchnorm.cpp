// fold_batchnorm (swtc_graph): Conv -> BatchNormalization folded into one Conv,
// checked against the reference interpreter before and after
// canonicalize(fold_batchnorm(g)), and the cases that must not fold.
#include <gtest/gtest.h>

#include "common/error.h"
#include "compare.h"
#include "graph/passes/canonicalize.h"
#include "graph/passes/fold_batchnorm.h"
#include "graph/printer.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"
#include "graph_builder.h"
#include "interp/interpreter.h"

namespace swtc::graph {
namespace {

using test::count_op;
using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using test::same_outputs;
using Attrs = std::map<std::string, AttrValue>;

Attrs conv_attrs(int64_t k = 3, int64_t pad = 1, int64_t stride = 1, int64_t group = 1) {
  return {{"kernel_shape", ints({k, k})}, {"strides", ints({stride, stride})},
          {"pads", ints({pad, pad, pad, pad})}, {"dilations", ints({1, 1})}, {"group", group}};
}

/// Trained-like BatchNormalization parameters for `c` channels, named
/// <p>_scale, <p>_bias, <p>_mean, <p>_var.
void bn_params(GraphBuilder &b, const std::string &p, int64_t c, unsigned seed) {
  b.constant(p + "_scale", random_tensor({c}, seed, 0.75f, 1.25f));
  b.constant(p + "_bias", random_tensor({c}, seed + 1, -0.5f, 0.5f));
  b.constant(p + "_mean", random_tensor({c}, seed + 2, -0.1f, 0.1f));
  b.constant(p + "_var", random_tensor({c}, seed + 3, 0.75f, 1.25f));
}

std::vector<std::string> bn_inputs(const std::string &x, const std::string &p) {
  return {x, p + "_scale", p + "_bias", p + "_mean", p + "_var"};
}

std::vector<TensorData> random_inputs(const Graph &g, unsigned seed = 100) {
  std::vector<TensorData> in;
  for (int v : g.inputs) in.push_back(random_tensor(g.values[v].shape, seed++));
  return in;
}

/// fold + canonicalize, verified, with the interpreter's answer unchanged.
Graph fold_and_check(const Graph &g, const std::vector<TensorData> &inputs) {
  const std::string before = to_text(g);
  Graph f = canonicalize(fold_batchnorm(g));
  EXPECT_EQ(to_text(g), before) << "fold_batchnorm modified its input";
  EXPECT_NO_THROW(verify(f));
  EXPECT_TRUE(same_outputs(interp::run(f, inputs), interp::run(g, inputs)))
      << "before:\n" << before << "after:\n" << to_text(f);
  return f;
}

struct ConvBnCase {
  bool bias;
  int64_t group;
  float epsilon;  // <= 0: attribute absent (default 1e-5)
};

class FoldConvBn : public ::testing::TestWithParam<ConvBnCase> {};

TEST_P(FoldConvBn, MatchesInterpreterAndRemovesTheBatchNorm) {
  const ConvBnCase p = GetParam();
  GraphBuilder b;
  b.input("x", {2, 4, 7, 6});
  b.constant("w", random_tensor({6, 4 / p.group, 3, 3}, 1));
  std::vector<std::string> conv_in = {"x", "w"};
  if (p.bias) {
    b.constant("b", random_tensor({6}, 2));
    conv_in.push_back("b");
  }
  b.node(OpKind::Conv, conv_in, "c", conv_attrs(3, 1, 1, p.group), "conv");
  bn_params(b, "bn", 6, 10);
  Attrs bn_attrs;
  if (p.epsilon > 0) bn_attrs["epsilon"] = p.epsilon;
  b.node(OpKind::BatchNormalization, bn_inputs("c", "bn"), "y", bn_attrs, "bn");
  b.output("y");
  Graph g = canonicalize(b.graph());
  ASSERT_EQ(g.nodes.size(), 2u);

  Graph f = fold_and_check(g, random_inputs(g));
  EXPECT_EQ(f.nodes.size(), g.nodes.size() - 1);
  EXPECT_EQ(count_op(f, OpKind::BatchNormalization), 0);
  ASSERT_EQ(count_op(f, OpKind::Conv), 1);
  const Node &conv = f.nodes[0];
  ASSERT_EQ(conv.inputs.size(), 3u);
  EXPECT_TRUE(f.values[conv.inputs[1]].constant.has_value());
  ASSERT_GE(conv.inputs[2], 0);
  EXPECT_TRUE(f.values[conv.inputs[2]].constant.has_value());
  EXPECT_EQ(f.values[conv.inputs[2]].shape, ints({6}));
  EXPECT_EQ(conv.attr_int("group", 0), p.group);
  // The graph output keeps its name and is produced by the Conv.
  ASSERT_EQ(f.outputs.size(), 1u);
  EXPECT_EQ(f.values[f.outputs[0]].name, "y");
  EXPECT_EQ(f.values[f.outputs[0]].producer, 0);
}

INSTANTIATE_TEST_SUITE_P(Cases, FoldConvBn,
                         ::testing::Values(ConvBnCase{true, 1, -1}, ConvBnCase{false, 1, -1},
                                           ConvBnCase{true, 2, 1e-3f},
                                           ConvBnCase{false, 2, 1e-3f}),
                         [](const auto &info) {
                           return std::string(info.param.bias ? "Bias" : "NoBias") + "Group" +
                                  std::to_string(info.param.group) +
                                  (info.param.epsilon > 0 ? "Eps1e3" : "DefaultEps");
                         });

TEST(FoldBatchNorm, DepthwiseStridedConv) {
  GraphBuilder b;
  b.input("x", {1, 5, 9, 9});
  b.constant("w", random_tensor({5, 1, 3, 3}, 3));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(3, 1, 2, 5), "dw");
  bn_params(b, "bn", 5, 20);
  b.node(OpKind::BatchNormalization, bn_inputs("c", "bn"), "y", {{"epsilon", 1e-5f}}, "bn");
  b.output("y");
  Graph g = canonicalize(b.graph());
  Graph f = fold_and_check(g, random_inputs(g));
  EXPECT_EQ(f.nodes.size(), 1u);
}

TEST(FoldBatchNorm, TwoConvBnBlocksInOneGraphDropTwoNodes) {
  // x -> Conv -> BN -> Relu -> Conv -> BN -> Relu; the second Conv shares no
  // weights with the first. Also a middle BN output that is not a graph output.
  GraphBuilder b;
  b.input("x", {1, 3, 8, 8});
  b.constant("w1", random_tensor({4, 3, 3, 3}, 1));
  b.constant("b1", random_tensor({4}, 2));
  b.node(OpKind::Conv, {"x", "w1", "b1"}, "c1", conv_attrs(), "conv1");
  bn_params(b, "bn1", 4, 30);
  b.node(OpKind::BatchNormalization, bn_inputs("c1", "bn1"), "n1", {{"epsilon", 1e-5f}}, "bn1");
  b.node(OpKind::Relu, {"n1"}, "r1");
  b.constant("w2", random_tensor({5, 4, 1, 1}, 3));
  b.node(OpKind::Conv, {"r1", "w2"}, "c2", conv_attrs(1, 0), "conv2");
  bn_params(b, "bn2", 5, 40);
  b.node(OpKind::BatchNormalization, bn_inputs("c2", "bn2"), "n2", {{"epsilon", 1e-5f}}, "bn2");
  b.node(OpKind::Relu, {"n2"}, "y");
  b.output("y");
  Graph g = canonicalize(b.graph());
  ASSERT_EQ(g.nodes.size(), 6u);
  Graph f = fold_and_check(g, random_inputs(g));
  EXPECT_EQ(f.nodes.size(), 4u);
  EXPECT_EQ(count_op(f, OpKind::BatchNormalization), 0);
  EXPECT_EQ(count_op(f, OpKind::Conv), 2);
  EXPECT_EQ(count_op(f, OpKind::Relu), 2);
}

TEST(FoldBatchNorm, SharedWeightsOfAnUnfoldedConvStayIntact) {
  // Two Convs read the same weight tensor; only the first is followed by a BN.
  // The second Conv must keep computing with the original weights.
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 5));
  b.node(OpKind::Conv, {"x", "w"}, "c1", conv_attrs(), "conv1");
  bn_params(b, "bn", 4, 50);
  b.node(OpKind::BatchNormalization, bn_inputs("c1", "bn"), "y1", {{"epsilon", 1e-5f}}, "bn");
  b.node(OpKind::Conv, {"x", "w"}, "y2", conv_attrs(), "conv2");
  b.output("y1");
  b.output("y2");
  Graph g = canonicalize(b.graph());
  Graph f = fold_and_check(g, random_inputs(g));
  EXPECT_EQ(f.nodes.size(), 2u);
  EXPECT_EQ(count_op(f, OpKind::Conv), 2);
}

/// The cases that must not fold: the graph is returned as it was.
void expect_not_folded(const Graph &g) {
  Graph f = fold_batchnorm(g);
  EXPECT_EQ(to_text(f), to_text(g));
  Graph fc = fold_and_check(g, random_inputs(g));
  EXPECT_EQ(count_op(fc, OpKind::BatchNormalization), count_op(g, OpKind::BatchNormalization));
  EXPECT_EQ(fc.nodes.size(), g.nodes.size());
}

TEST(FoldBatchNormNot, ConvOutputHasASecondUse) {
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  bn_params(b, "bn", 4, 10);
  b.node(OpKind::BatchNormalization, bn_inputs("c", "bn"), "y", {{"epsilon", 1e-5f}}, "bn");
  b.node(OpKind::Relu, {"c"}, "z");
  b.output("y");
  b.output("z");
  expect_not_folded(canonicalize(b.graph()));
}

TEST(FoldBatchNormNot, ConvOutputIsAlsoAGraphOutput) {
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  bn_params(b, "bn", 4, 10);
  b.node(OpKind::BatchNormalization, bn_inputs("c", "bn"), "y", {{"epsilon", 1e-5f}}, "bn");
  b.output("y");
  b.output("c");
  expect_not_folded(canonicalize(b.graph()));
}

TEST(FoldBatchNormNot, BatchNormParametersAreGraphInputs) {
  for (int which = 1; which <= 4; ++which) {
    SCOPED_TRACE("BN parameter " + std::to_string(which) + " is a graph input");
    GraphBuilder b;
    b.input("x", {1, 3, 6, 6});
    b.constant("w", random_tensor({4, 3, 3, 3}, 1));
    b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
    const char *names[] = {"", "_scale", "_bias", "_mean", "_var"};
    for (int k = 1; k <= 4; ++k) {
      const std::string n = std::string("bn") + names[k];
      if (k == which)
        b.input(n, {4});
      else
        b.constant(n, random_tensor({4}, 10 + k, k == 3 ? -0.1f : 0.75f, k == 3 ? 0.1f : 1.25f));
    }
    b.node(OpKind::BatchNormalization, bn_inputs("c", "bn"), "y", {{"epsilon", 1e-5f}}, "bn");
    b.output("y");
    Graph g = canonicalize(b.graph());
    // The random input in [-1, 1) is a poor variance; make it positive.
    std::vector<TensorData> in = random_inputs(g);
    in[1] = random_tensor({4}, 77, 0.75f, 1.25f);
    Graph f = fold_batchnorm(g);
    EXPECT_EQ(to_text(f), to_text(g));
    Graph fc = canonicalize(f);
    EXPECT_EQ(count_op(fc, OpKind::BatchNormalization), 1);
    EXPECT_TRUE(same_outputs(interp::run(fc, in), interp::run(g, in)));
  }
}

TEST(FoldBatchNormNot, ConvWeightsAreAGraphInput) {
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.input("w", {4, 3, 3, 3});
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  bn_params(b, "bn", 4, 10);
  b.node(OpKind::BatchNormalization, bn_inputs("c", "bn"), "y", {{"epsilon", 1e-5f}}, "bn");
  b.output("y");
  expect_not_folded(canonicalize(b.graph()));
}

TEST(FoldBatchNormNot, BatchNormAfterMaxPool) {
  GraphBuilder b;
  b.input("x", {1, 4, 6, 6});
  b.node(OpKind::MaxPool, {"x"}, "p",
         {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}, {"pads", ints({0, 0, 0, 0})}},
         "pool");
  bn_params(b, "bn", 4, 10);
  b.node(OpKind::BatchNormalization, bn_inputs("p", "bn"), "y", {{"epsilon", 1e-5f}}, "bn");
  b.output("y");
  expect_not_folded(canonicalize(b.graph()));
}

TEST(FoldBatchNormNot, BatchNormAfterReluAfterConv) {
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Relu, {"c"}, "r");
  bn_params(b, "bn", 4, 10);
  b.node(OpKind::BatchNormalization, bn_inputs("r", "bn"), "y", {{"epsilon", 1e-5f}}, "bn");
  b.output("y");
  expect_not_folded(canonicalize(b.graph()));
}

// Regression test for a bug this suite found in fold_batchnorm.cpp (fixed).
TEST(FoldBatchNorm, NewValueNamesDoNotCollideWithExistingOnes) {
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  bn_params(b, "bn", 4, 10);
  b.node(OpKind::BatchNormalization, bn_inputs("c", "bn"), "y", {{"epsilon", 1e-5f}}, "bn");
  b.constant("y_bias", random_tensor({1, 4, 1, 1}, 9));
  b.node(OpKind::Add, {"y", "y_bias"}, "z");
  b.output("z");
  Graph g = canonicalize(b.graph());
  ASSERT_NO_THROW(verify(g));
  Graph f;
  ASSERT_NO_THROW(f = fold_batchnorm(g));
  EXPECT_NO_THROW(verify(f));
  Graph fc;
  ASSERT_NO_THROW(fc = canonicalize(f));
  EXPECT_EQ(fc.nodes.size(), 2u);
  std::vector<TensorData> in = random_inputs(g);
  EXPECT_TRUE(same_outputs(interp::run(fc, in), interp::run(g, in)));
}

}  // namespace
}  // namespace swtc::graph
