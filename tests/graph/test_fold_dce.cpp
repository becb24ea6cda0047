// fold_constants and eliminate_dead_code (library swtc_graph_passes).
#include <gtest/gtest.h>

#include "common/error.h"
#include "graph/passes/canonicalize.h"
#include "graph/passes/dce.h"
#include "graph/passes/fold_constants.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"
#include "graph_builder.h"
#include "interp/interpreter.h"

namespace swtc::graph {
namespace {

using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using test::tensor_f32;
using test::tensor_i64;

int count_op(const Graph &g, OpKind op) {
  int c = 0;
  for (const Node &n : g.nodes) c += n.op == op;
  return c;
}

/// x -> Shape -> Gather(0) -> Unsqueeze -> Concat with [-1] -> Reshape(x, that) -> Relu
Graph shape_subgraph_model() {
  GraphBuilder b("g", 13);
  b.input("x", {2, 3, 4});
  b.node(OpKind::Relu, {"x"}, "r");
  b.node(OpKind::Shape, {"r"}, "s");
  b.constant("zero", tensor_i64({}, {0}));
  b.node(OpKind::Gather, {"s", "zero"}, "d0");
  b.constant("ax", tensor_i64({1}, {0}));
  b.node(OpKind::Unsqueeze, {"d0", "ax"}, "d0u");
  b.constant("m1", tensor_i64({1}, {-1}));
  b.node(OpKind::Concat, {"d0u", "m1"}, "target", {{"axis", int64_t{0}}});
  b.node(OpKind::Reshape, {"r", "target"}, "y");
  b.node(OpKind::Relu, {"y"}, "z");
  b.output("z");
  infer_shapes(b.graph());
  return b.graph();
}

TEST(FoldConstants, FoldsShapeSubgraphAndKeepsTheAnswer) {
  Graph g = shape_subgraph_model();
  Graph f = fold_constants(g);
  verify(f);
  EXPECT_EQ(count_op(f, OpKind::Shape), 0);
  EXPECT_EQ(count_op(f, OpKind::Gather), 0);
  EXPECT_EQ(count_op(f, OpKind::Unsqueeze), 0);
  EXPECT_EQ(count_op(f, OpKind::Concat), 0);
  ASSERT_EQ(f.nodes.size(), 3u);  // Relu, Reshape, Relu
  const Node &reshape = f.nodes[1];
  ASSERT_EQ(reshape.op, OpKind::Reshape);
  const Value &target = f.values[reshape.inputs[1]];
  ASSERT_TRUE(target.constant.has_value());
  EXPECT_EQ(target.constant->i64, ints({2, -1}));
  // The dead constants (zero, ax, m1) are gone.
  EXPECT_EQ(f.find_value("zero"), -1);
  EXPECT_EQ(f.find_value("m1"), -1);
  TensorData x = random_tensor({2, 3, 4}, 3);
  auto a = interp::run(g, {x}), b = interp::run(f, {x});
  EXPECT_EQ(a[0].shape, b[0].shape);
  EXPECT_EQ(a[0].f32, b[0].f32);
  // The driver's order: fold -> canonicalize -> DCE.
  Graph c = eliminate_dead_code(canonicalize(f));
  ASSERT_EQ(c.nodes.size(), 3u);
  EXPECT_EQ(c.nodes[1].inputs.size(), 1u);
  EXPECT_EQ(c.nodes[1].attr_ints("shape", {}), ints({2, 12}));
  EXPECT_EQ(interp::run(c, {x})[0].f32, a[0].f32);
}

TEST(FoldConstants, FoldsFloatConstantChainsAndGraphOutputs) {
  GraphBuilder b("g", 13);
  b.input("x", {2, 3});
  b.constant("w", random_tensor({3, 2}, 1));
  b.node(OpKind::Transpose, {"w"}, "wt");           // constant: folds
  b.constant("two", tensor_f32({}, {2.0f}));
  b.node(OpKind::Mul, {"wt", "two"}, "w2");         // constant: folds
  b.node(OpKind::Add, {"x", "w2"}, "y");            // depends on x: stays
  b.node(OpKind::Neg, {"two"}, "out2");  // a graph output: folded too (the driver copies it out)
  b.output("y");
  b.output("out2");
  infer_shapes(b.graph());
  Graph f = fold_constants(b.graph());
  EXPECT_EQ(count_op(f, OpKind::Transpose), 0);
  EXPECT_EQ(count_op(f, OpKind::Mul), 0);
  EXPECT_EQ(count_op(f, OpKind::Add), 1);
  EXPECT_EQ(count_op(f, OpKind::Neg), 0);
  EXPECT_TRUE(f.values[static_cast<size_t>(f.find_value("out2"))].constant);
  EXPECT_EQ(f.find_value("w"), -1);  // only the folded product remains
  TensorData x = random_tensor({2, 3}, 2);
  auto a = interp::run(b.graph(), {x}), c = interp::run(f, {x});
  EXPECT_EQ(a[0].f32, c[0].f32);
  EXPECT_EQ(a[1].f32, c[1].f32);
}

TEST(FoldConstants, ConstantOfShapeAndConstantNodesFold) {
  GraphBuilder b("g", 13);
  b.input("x", {2, 3});
  b.node(OpKind::Constant, {}, "shp", {{"value", tensor_i64({2}, {2, 3})}});
  TensorData one = tensor_f32({1}, {1.0f});
  b.node(OpKind::ConstantOfShape, {"shp"}, "ones", {{"value", one}});
  b.node(OpKind::Add, {"x", "ones"}, "y");
  b.output("y");
  infer_shapes(b.graph());
  Graph f = fold_constants(b.graph());
  ASSERT_EQ(f.nodes.size(), 1u);
  const Value &ones = f.values[f.nodes[0].inputs[1]];
  ASSERT_TRUE(ones.constant.has_value());
  EXPECT_EQ(ones.constant->f32, std::vector<float>(6, 1.0f));
}

TEST(FoldConstants, WorksOnCanonicalizedGraphs) {
  Graph g = canonicalize(shape_subgraph_model());
  Graph f = fold_constants(g);
  TensorData x = random_tensor({2, 3, 4}, 5);
  EXPECT_EQ(interp::run(g, {x})[0].f32, interp::run(f, {x})[0].f32);
}

TEST(DeadCode, RemovesUnusedNodesTransitivelyAndKeepsInputs) {
  GraphBuilder b("g", 13);
  b.input("x", {4});
  b.input("unused", {4});
  b.node(OpKind::Relu, {"x"}, "a");
  b.node(OpKind::Exp, {"a"}, "dead1");
  b.node(OpKind::Neg, {"dead1"}, "dead2");
  b.constant("c", random_tensor({4}, 1));
  b.node(OpKind::Add, {"a", "c"}, "y");
  b.constant("dead_const", random_tensor({4}, 2));
  b.output("y");
  infer_shapes(b.graph());
  Graph d = eliminate_dead_code(b.graph());
  verify(d);
  ASSERT_EQ(d.nodes.size(), 2u);
  EXPECT_EQ(d.nodes[0].op, OpKind::Relu);
  EXPECT_EQ(d.nodes[1].op, OpKind::Add);
  EXPECT_EQ(d.find_value("dead1"), -1);
  EXPECT_EQ(d.find_value("dead2"), -1);
  EXPECT_EQ(d.find_value("dead_const"), -1);
  EXPECT_NE(d.find_value("unused"), -1);
  EXPECT_EQ(d.inputs.size(), 2u);
  EXPECT_NE(d.find_value("c"), -1);
}

}  // namespace
}  // namespace swtc::graph
