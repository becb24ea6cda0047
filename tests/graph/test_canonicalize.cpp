#include "graph/passes/canonicalize.h"

#include <gtest/gtest.h>

#include "graph/printer.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"
#include "graph_builder.h"

namespace swtc::graph {
namespace {

using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using test::tensor_i64;

const Node &only_node(const Graph &g, OpKind op) {
  const Node *found = nullptr;
  for (const Node &n : g.nodes)
    if (n.op == op) {
      EXPECT_EQ(found, nullptr) << "more than one " << op_name(op);
      found = &n;
    }
  EXPECT_NE(found, nullptr) << "no " << op_name(op);
  return *found;
}

TEST(Canonicalize, ConvAutoPadSameUpperBecomesExplicitPads) {
  GraphBuilder b;
  b.input("x", {1, 3, 7, 8});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "y",
         {{"auto_pad", std::string("SAME_UPPER")}, {"strides", ints({2, 2})}}, "conv1");
  b.output("y");
  Graph c = canonicalize(b.graph());
  const Node &n = only_node(c, OpKind::Conv);
  EXPECT_FALSE(n.has_attr("auto_pad"));
  // H: out 4, total = 3*2+3-7 = 2 -> 1/1. W: out 4, total = 3*2+3-8 = 1 -> 0/1 (extra at end).
  EXPECT_EQ(n.attr_ints("pads", {}), ints({1, 0, 1, 1}));
  EXPECT_EQ(n.attr_ints("kernel_shape", {}), ints({3, 3}));
  EXPECT_EQ(n.attr_ints("strides", {}), ints({2, 2}));
  EXPECT_EQ(n.attr_ints("dilations", {}), ints({1, 1}));
  EXPECT_EQ(n.attr_int("group", 0), 1);
  EXPECT_EQ(c.values[c.find_value("y")].shape, Shape({1, 4, 4, 4}));
}

TEST(Canonicalize, PoolsGetExplicitAttributes) {
  GraphBuilder b;
  b.input("x", {1, 2, 6, 6});
  b.node(OpKind::AveragePool, {"x"}, "a",
         {{"kernel_shape", ints({2, 2})}, {"auto_pad", std::string("SAME_LOWER")}});
  b.node(OpKind::MaxPool, {"a"}, "m", {{"kernel_shape", ints({3, 3})}});
  b.output("m");
  Graph c = canonicalize(b.graph());
  const Node &ap = only_node(c, OpKind::AveragePool);
  EXPECT_EQ(ap.attr_ints("pads", {}), ints({1, 1, 0, 0}));
  EXPECT_EQ(ap.attr_int("count_include_pad", -1), 0);
  EXPECT_EQ(ap.attr_int("ceil_mode", -1), 0);
  EXPECT_EQ(ap.attr_ints("strides", {}), ints({1, 1}));
  const Node &mp = only_node(c, OpKind::MaxPool);
  EXPECT_EQ(mp.attr_ints("pads", {}), ints({0, 0, 0, 0}));
  EXPECT_EQ(mp.attr_ints("dilations", {}), ints({1, 1}));
}

TEST(Canonicalize, IdentityRemovedAndUsesRewired) {
  GraphBuilder b;
  b.input("x", {1, 4});
  b.node(OpKind::Identity, {"x"}, "i1");
  b.node(OpKind::Identity, {"i1"}, "i2");
  b.node(OpKind::Relu, {"i2"}, "y", {}, "relu");
  b.output("y");
  Graph c = canonicalize(b.graph());
  ASSERT_EQ(c.nodes.size(), 1u);
  EXPECT_EQ(c.nodes[0].op, OpKind::Relu);
  EXPECT_EQ(c.values[c.nodes[0].inputs[0]].name, "x");
  EXPECT_EQ(c.find_value("i1"), -1);
  EXPECT_EQ(c.find_value("i2"), -1);
}

TEST(Canonicalize, IdentityFeedingGraphOutputKeepsTheOutputName) {
  GraphBuilder b;
  b.input("x", {1, 4});
  b.node(OpKind::Relu, {"x"}, "r", {}, "relu");
  b.node(OpKind::Identity, {"r"}, "out");
  b.node(OpKind::Add, {"r", "x"}, "other", {}, "add");  // another use of r
  b.output("out");
  b.output("other");
  Graph c = canonicalize(b.graph());
  ASSERT_EQ(c.nodes.size(), 2u);
  EXPECT_EQ(c.values[c.outputs[0]].name, "out");
  EXPECT_EQ(c.values[c.nodes[0].outputs[0]].name, "out");   // Relu defines it
  EXPECT_EQ(c.values[c.nodes[1].inputs[0]].name, "out");    // Add reads it
}

TEST(Canonicalize, IdentityOfGraphInputToOutputIsKept) {
  GraphBuilder b;
  b.input("x", {1, 4});
  b.node(OpKind::Identity, {"x"}, "y");
  b.output("y");
  Graph c = canonicalize(b.graph());
  ASSERT_EQ(c.nodes.size(), 1u);
  EXPECT_EQ(c.nodes[0].op, OpKind::Identity);
  EXPECT_EQ(c.values[c.outputs[0]].name, "y");
}

TEST(Canonicalize, ConstantBecomesInitializerAndReshapeIsResolved) {
  GraphBuilder b;
  b.input("x", {2, 3, 4});
  b.node(OpKind::Constant, {}, "shape", {{"value", tensor_i64({2}, {0, -1})}}, "shape_const");
  b.node(OpKind::Reshape, {"x", "shape"}, "y", {}, "rs");
  b.constant("unused", random_tensor({3}, 1));
  b.output("y");
  Graph c = canonicalize(b.graph());
  ASSERT_EQ(c.nodes.size(), 1u);
  const Node &n = c.nodes[0];
  EXPECT_EQ(n.op, OpKind::Reshape);
  EXPECT_EQ(n.inputs.size(), 1u);
  EXPECT_EQ(n.attr_ints("shape", {}), ints({2, 12}));
  // The shape constant and the unused initializer are dead and gone.
  EXPECT_EQ(c.find_value("shape"), -1);
  EXPECT_EQ(c.find_value("unused"), -1);
  EXPECT_EQ(c.values[c.find_value("y")].shape, Shape({2, 12}));
}

TEST(Canonicalize, ConstantNodeUsedByComputeBecomesConstantValue) {
  GraphBuilder b;
  b.input("x", {2, 3});
  b.node(OpKind::Constant, {}, "k", {{"value_floats", std::vector<float>{1, 2, 3}}}, "kc");
  b.node(OpKind::Add, {"x", "k"}, "y");
  b.output("y");
  Graph c = canonicalize(b.graph());
  ASSERT_EQ(c.nodes.size(), 1u);
  int k = c.find_value("k");
  ASSERT_GE(k, 0);
  ASSERT_TRUE(c.values[k].constant.has_value());
  EXPECT_EQ(c.values[k].constant->f32, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(c.values[k].producer, -1);
}

TEST(Canonicalize, GemmBnFlattenDefaults) {
  GraphBuilder b;
  b.input("x", {1, 4, 2, 2});
  for (const char *n : {"scale", "bias", "mean", "var"}) b.constant(n, random_tensor({4}, 3));
  b.node(OpKind::BatchNormalization, {"x", "scale", "bias", "mean", "var"}, "bn",
         {{"momentum", 0.9f}});
  b.node(OpKind::Flatten, {"bn"}, "f", {{"axis", int64_t{-3}}});
  b.constant("w", random_tensor({16, 5}, 4));
  b.node(OpKind::Gemm, {"f", "w"}, "y");
  b.output("y");
  Graph c = canonicalize(b.graph());
  const Node &bn = only_node(c, OpKind::BatchNormalization);
  EXPECT_FLOAT_EQ(bn.attr_float("epsilon", 0), 1e-5f);
  EXPECT_FALSE(bn.has_attr("momentum"));
  EXPECT_EQ(only_node(c, OpKind::Flatten).attr_int("axis", -9), 1);
  const Node &gemm = only_node(c, OpKind::Gemm);
  EXPECT_FLOAT_EQ(gemm.attr_float("alpha", 0), 1.0f);
  EXPECT_FLOAT_EQ(gemm.attr_float("beta", 0), 1.0f);
  EXPECT_EQ(gemm.attr_int("transA", -1), 0);
  EXPECT_EQ(gemm.attr_int("transB", -1), 0);
  EXPECT_EQ(c.values[c.find_value("y")].shape, Shape({1, 5}));
}

TEST(Canonicalize, IsIdempotentAndLeavesInputAlone) {
  GraphBuilder b;
  b.input("x", {1, 3, 8, 8});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", {{"auto_pad", std::string("SAME_UPPER")}}, "conv");
  b.node(OpKind::Identity, {"c"}, "i");
  b.node(OpKind::Relu, {"i"}, "y", {}, "relu");
  b.output("y");
  Graph before = b.graph();
  infer_shapes(before);
  std::string before_text = to_text(before);
  Graph c1 = canonicalize(before);
  EXPECT_EQ(to_text(before), before_text);
  Graph c2 = canonicalize(c1);
  EXPECT_EQ(to_text(c1), to_text(c2));
  verify(c2);
}

}  // namespace
}  // namespace swtc::graph
