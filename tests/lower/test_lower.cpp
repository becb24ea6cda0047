// Lowering of graph ops to ComputeDefs: each 1-node graph is lowered, scheduled
// (no schedule, the host default, the sw26010 default), run in the test's
// tensor-IR interpreter and compared with the reference interpreter.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "graph/shape_inference.h"
#include "graph_builder.h"
#include "interp/interpreter.h"
#include "lower/lower.h"
#include "lower/transpose_rows.h"
#include "schedule/schedule.h"
#include "target/target.h"
#include "tir/printer.h"
#include "tir_eval.h"

namespace swtc::lower {
namespace {

using graph::OpKind;
using graph::TensorData;
using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using Attrs = std::map<std::string, graph::AttrValue>;

/// A one-node graph whose inputs are graph inputs (random data) or constants.
struct OneNode {
  GraphBuilder b;
  std::vector<TensorData> input_data;  // graph input order
  unsigned seed = 11;

  void input(const std::string &name, const graph::Shape &shape, float lo = -1, float hi = 1) {
    b.input(name, shape);
    input_data.push_back(random_tensor(shape, seed++, lo, hi));
  }
  void constant(const std::string &name, const graph::Shape &shape, float lo = -1, float hi = 1) {
    b.constant(name, random_tensor(shape, seed++, lo, hi));
  }
  graph::Graph &finish(OpKind op, const std::vector<std::string> &ins, Attrs attrs) {
    b.node(op, ins, "y", std::move(attrs), "the_node");
    b.output("y");
    graph::infer_shapes(b.graph());
    return b.graph();
  }
};

std::vector<float> value_data(const OneNode &t, int value) {
  const graph::Graph &g = const_cast<OneNode &>(t).b.graph();
  const graph::Value &v = g.values[value];
  if (v.constant) return v.constant->f32;
  for (size_t i = 0; i < g.inputs.size(); ++i)
    if (g.inputs[i] == value) return t.input_data[i].f32;
  ADD_FAILURE() << "no data for value " << v.name;
  return {};
}

/// Lowers node 0, runs it under three schedules and compares with interp::run
/// (error relative to max(1, |want|): float accumulation vs. the double oracle).
void check_against_interpreter(OneNode &t) {
  const graph::Graph &g = t.b.graph();
  Kernel k = lower_node(g, 0);
  EXPECT_EQ(k.node, 0);
  EXPECT_EQ(k.def.name, kernel_name(g, 0));
  ASSERT_EQ(k.values.size(), k.def.inputs.size() + 1);
  EXPECT_EQ(k.values.back(), g.nodes[0].outputs[0]);
  EXPECT_EQ(k.def.output->shape, g.values[k.values.back()].shape);

  std::vector<float> want = swtc::interp::run(g, t.input_data).at(0).f32;
  std::vector<std::vector<float>> params;
  for (size_t i = 0; i + 1 < k.values.size(); ++i) {
    params.push_back(value_data(t, k.values[i]));
    ASSERT_EQ(static_cast<int64_t>(params.back().size()), k.def.inputs[i]->elements());
  }
  params.push_back(std::vector<float>(want.size(), std::nanf("")));

  std::vector<std::pair<std::string, schedule::Schedule>> scheds;
  scheds.emplace_back("none", schedule::Schedule(k.def));
  scheds.emplace_back("host", target::default_schedule(k.def, target::get_target("host-portable")));
  scheds.emplace_back("sw26010", target::default_schedule(k.def, target::get_target("sw26010")));
  for (auto &[name, s] : scheds) {
    SCOPED_TRACE(name);
    tir::PrimFunc f = s.lower();
    std::vector<float> got;
    try {
      test::Memory mem = test::run_func(f, params);
      got = mem.at(f.params.back().get());
    } catch (const std::exception &e) {
      FAIL() << e.what() << "\n" << tir::to_text(f);
    }
    ASSERT_EQ(got.size(), want.size());
    int bad = 0;
    for (size_t i = 0; i < got.size() && bad < 5; ++i) {
      double err = std::fabs(double(got[i]) - want[i]) / std::max(1.0, std::fabs(double(want[i])));
      if (!(err < 1e-5)) {
        ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want " << want[i];
        ++bad;
      }
    }
    if (bad) {
      ADD_FAILURE() << tir::to_text(f);
      return;
    }
  }
}

Attrs conv_attrs(std::vector<int64_t> k, std::vector<int64_t> strides, std::vector<int64_t> pads,
                 std::vector<int64_t> dil, int64_t group) {
  return {{"kernel_shape", k}, {"strides", strides}, {"pads", pads}, {"dilations", dil},
          {"group", group}};
}

TEST(LowerConv, PlainWithBias) {
  OneNode t;
  t.input("x", {1, 3, 6, 7});
  t.constant("w", {4, 3, 3, 3});
  t.constant("b", {4});
  t.finish(OpKind::Conv, {"x", "w", "b"}, conv_attrs({3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1));
  check_against_interpreter(t);
}

TEST(LowerConv, GroupStrideAsymmetricPadsDilation) {
  OneNode t;
  t.input("x", {2, 4, 9, 8});
  t.constant("w", {6, 2, 3, 2});  // group 2: 2 input channels and 3 outputs per group
  t.constant("b", {6});
  t.finish(OpKind::Conv, {"x", "w", "b"}, conv_attrs({3, 2}, {2, 1}, {2, 0, 1, 3}, {2, 3}, 2));
  check_against_interpreter(t);
}

TEST(LowerConv, DepthwiseWithoutBias) {
  OneNode t;
  t.input("x", {1, 5, 7, 7});
  t.constant("w", {5, 1, 3, 3});
  t.finish(OpKind::Conv, {"x", "w"}, conv_attrs({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 5));
  Kernel k = lower_node(t.b.graph(), 0);
  EXPECT_EQ(k.def.epilogue, nullptr);
  EXPECT_EQ(k.def.inputs.size(), 2u);
  check_against_interpreter(t);
}

TEST(LowerConv, ThreeDimensionalInputIsAUserError) {
  OneNode t;
  t.input("x", {1, 3, 10});
  t.constant("w", {2, 3, 3});
  graph::Graph &g = t.b.graph();
  t.b.node(OpKind::Conv, {"x", "w"}, "y",
           {{"kernel_shape", ints({3})}, {"strides", ints({1})}, {"pads", ints({0, 0})},
            {"dilations", ints({1})}, {"group", int64_t{1}}},
           "conv1d");
  t.b.output("y");
  try {
    graph::infer_shapes(g);
  } catch (const swtc::UserError &) {
    GTEST_SKIP() << "shape inference already rejects 1-D Conv";
  }
  try {
    lower_node(g, 0);
    FAIL() << "1-D Conv was lowered";
  } catch (const swtc::UserError &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("node 'conv1d' (Conv, opset "), std::string::npos) << m;
    EXPECT_NE(m.find("rank 3"), std::string::npos) << m;
  }
}

Attrs pool_attrs(std::vector<int64_t> k, std::vector<int64_t> strides, std::vector<int64_t> pads) {
  return {{"kernel_shape", k}, {"strides", strides}, {"pads", pads},
          {"dilations", ints({1, 1})}, {"ceil_mode", int64_t{0}}, {"storage_order", int64_t{0}}};
}

TEST(LowerPool, MaxPoolPaddedStrided) {
  OneNode t;
  t.input("x", {1, 3, 9, 8});
  t.finish(OpKind::MaxPool, {"x"}, pool_attrs({3, 3}, {2, 2}, {1, 1, 1, 1}));
  Kernel k = lower_node(t.b.graph(), 0);
  EXPECT_EQ(k.def.combiner, schedule::Combiner::Max);
  check_against_interpreter(t);
}

TEST(LowerPool, MaxPoolAllNegativeWindowNextToPadding) {
  // Padding must not act as a zero: with all-negative inputs the max is negative.
  OneNode t;
  t.b.input("x", {1, 2, 5, 5});
  t.input_data.push_back(random_tensor({1, 2, 5, 5}, 3, -2.0f, -0.5f));
  t.finish(OpKind::MaxPool, {"x"}, pool_attrs({2, 2}, {1, 1}, {1, 1, 1, 1}));
  check_against_interpreter(t);
}

TEST(LowerPool, MaxPoolStorageOrderIsAUserError) {
  OneNode t;
  t.input("x", {1, 2, 6, 6});
  Attrs a = pool_attrs({2, 2}, {2, 2}, {0, 0, 0, 0});
  a["storage_order"] = int64_t{1};
  graph::Graph &g = t.finish(OpKind::MaxPool, {"x"}, a);
  try {
    lower_node(g, 0);
    FAIL() << "storage_order=1 was accepted";
  } catch (const swtc::UserError &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("node 'the_node' (MaxPool, opset "), std::string::npos) << m;
    EXPECT_NE(m.find("storage_order"), std::string::npos) << m;
  }
}

TEST(LowerPool, OneDimensionalMaxAndAverage) {
  OneNode t;
  t.input("x", {2, 3, 11});
  t.finish(OpKind::MaxPool, {"x"},
           {{"kernel_shape", ints({3})}, {"strides", ints({2})}, {"pads", ints({1, 2})},
            {"dilations", ints({2})}, {"ceil_mode", int64_t{0}}, {"storage_order", int64_t{0}}});
  check_against_interpreter(t);
  OneNode u;
  u.input("x", {1, 2, 9});
  u.finish(OpKind::AveragePool, {"x"},
           {{"kernel_shape", ints({4})}, {"strides", ints({3})}, {"pads", ints({1, 1})},
            {"dilations", ints({1})}, {"ceil_mode", int64_t{1}}, {"count_include_pad", int64_t{0}}});
  check_against_interpreter(u);
}

TEST(LowerPool, ThreeDimensionalAverageCountIncludePadAndGlobal) {
  OneNode t;
  t.input("x", {1, 2, 5, 6, 4});
  t.finish(OpKind::AveragePool, {"x"},
           {{"kernel_shape", ints({3, 2, 3})}, {"strides", ints({2, 2, 1})},
            {"pads", ints({1, 0, 1, 1, 1, 1})}, {"dilations", ints({1, 1, 1})},
            {"ceil_mode", int64_t{0}}, {"count_include_pad", int64_t{1}}});
  Kernel k = lower_node(t.b.graph(), 0);
  EXPECT_EQ(k.def.axes.size(), 8u);  // n, c, d, h, w and three reduce axes
  check_against_interpreter(t);
  OneNode u;
  u.input("x", {2, 3, 3, 4, 2});
  u.finish(OpKind::GlobalAveragePool, {"x"}, {});
  check_against_interpreter(u);
}

TEST(LowerPool, GlobalAveragePool) {
  OneNode t;
  t.input("x", {2, 3, 5, 7});
  t.finish(OpKind::GlobalAveragePool, {"x"}, {});
  check_against_interpreter(t);
}

Attrs gemm_attrs(float alpha, float beta, int64_t ta, int64_t tb) {
  return {{"alpha", alpha}, {"beta", beta}, {"transA", ta}, {"transB", tb}};
}

TEST(LowerGemm, PlainWithBiasVector) {
  OneNode t;
  t.input("a", {3, 5});
  t.constant("bm", {5, 4});
  t.constant("c", {4});
  t.finish(OpKind::Gemm, {"a", "bm", "c"}, gemm_attrs(1.0f, 1.0f, 0, 0));
  check_against_interpreter(t);
}

TEST(LowerGemm, TransposesAlphaBetaBroadcastColumn) {
  OneNode t;
  t.input("a", {5, 3});       // transA: A^T is [3,5]
  t.constant("bm", {4, 5});   // transB: B^T is [5,4]
  t.constant("c", {3, 1});    // broadcast along columns
  t.finish(OpKind::Gemm, {"a", "bm", "c"}, gemm_attrs(0.5f, -2.0f, 1, 1));
  check_against_interpreter(t);
}

TEST(LowerGemm, FullCAndScalarC) {
  {
    OneNode t;
    t.input("a", {2, 6});
    t.constant("bm", {6, 3});
    t.constant("c", {2, 3});
    t.finish(OpKind::Gemm, {"a", "bm", "c"}, gemm_attrs(2.0f, 0.25f, 0, 0));
    check_against_interpreter(t);
  }
  {
    OneNode t;
    t.input("a", {2, 6});
    t.constant("bm", {3, 6});
    t.constant("c", {1});
    t.finish(OpKind::Gemm, {"a", "bm", "c"}, gemm_attrs(1.0f, 3.0f, 0, 1));
    check_against_interpreter(t);
  }
}

TEST(LowerGemm, BetaZeroIgnoresC) {
  OneNode t;
  t.input("a", {2, 4});
  t.constant("bm", {4, 3});
  t.constant("c", {3});
  t.finish(OpKind::Gemm, {"a", "bm", "c"}, gemm_attrs(1.0f, 0.0f, 0, 0));
  Kernel k = lower_node(t.b.graph(), 0);
  EXPECT_EQ(k.def.inputs.size(), 2u);
  EXPECT_EQ(k.def.epilogue, nullptr);
  check_against_interpreter(t);
}

TEST(LowerElementwise, Relu) {
  OneNode t;
  t.input("x", {2, 3, 4});
  t.finish(OpKind::Relu, {"x"}, {});
  check_against_interpreter(t);
}

TEST(LowerElementwise, CeilAndFloor) {
  for (OpKind op : {OpKind::Ceil, OpKind::Floor}) {
    OneNode t;
    t.input("x", {3, 7});
    t.finish(op, {"x"}, {});
    check_against_interpreter(t);
  }
}

// Every op of graph/unary_ops.def, on inputs inside its domain, with its
// default attributes; then the ops with attributes at other values.
TEST(LowerElementwise, UnaryOpsTable) {
  const std::vector<OpKind> ops = {
#define SWTC_UNARY(kind, ...) OpKind::kind,
#include "graph/unary_ops.def"
  };
  ASSERT_GE(ops.size(), 26u);
  for (OpKind op : ops) {
    SCOPED_TRACE(graph::op_name(op));
    OneNode t;
    float lo = -3, hi = 3;  // around the kinks of the piecewise ones
    if (op == OpKind::Log || op == OpKind::Acosh) lo = 1.05f;
    if (op == OpKind::Asin || op == OpKind::Acos || op == OpKind::Atanh) lo = -0.95f, hi = 0.95f;
    if (op == OpKind::Tan) lo = -1.4f, hi = 1.4f;
    if (op == OpKind::Reciprocal) lo = 0.1f;
    t.input("x", {2, 3, 5}, lo, hi);
    t.finish(op, {"x"}, {});
    check_against_interpreter(t);
  }
}

TEST(LowerElementwise, UnaryOpsWithAttributes) {
  const std::vector<std::pair<OpKind, Attrs>> cases = {
      {OpKind::LeakyRelu, {{"alpha", 0.3f}}},
      {OpKind::Elu, {{"alpha", 0.5f}}},
      {OpKind::Selu, {{"alpha", 2.0f}, {"gamma", 0.7f}}},
      {OpKind::Celu, {{"alpha", 2.5f}}},
      {OpKind::ThresholdedRelu, {{"alpha", 0.25f}}},
      {OpKind::HardSigmoid, {{"alpha", 0.4f}, {"beta", 0.3f}}},
      {OpKind::Shrink, {{"lambd", 0.8f}, {"bias", 0.25f}}},
  };
  for (const auto &[op, attrs] : cases) {
    SCOPED_TRACE(graph::op_name(op));
    OneNode t;
    t.input("x", {4, 6}, -3, 3);
    t.finish(op, {"x"}, attrs);
    check_against_interpreter(t);
  }
}

TEST(LowerElementwise, MaxMinPReluBroadcast) {
  for (OpKind op : {OpKind::Max, OpKind::Min, OpKind::PRelu}) {
    SCOPED_TRACE(graph::op_name(op));
    OneNode t;
    t.input("a", {2, 3, 4});
    t.input("b", {3, 1});
    t.finish(op, {"a", "b"}, {});
    check_against_interpreter(t);
  }
}

// Constant-mode Pad is one kernel (edge / reflect Pad and Tile are
// decomposed into Slice and Concat kernels: e2e.pad_modes.*, e2e.tile.*).
TEST(LowerTensor, PadConstant) {
  OneNode t;
  t.input("x", {2, 3, 4, 5});
  t.finish(OpKind::Pad, {"x"},
           {{"pads", std::vector<int64_t>{0, 1, 2, 3, 0, 0, 1, 4}},
            {"mode", std::string("constant")}, {"value", 0.75f}});
  check_against_interpreter(t);
  OneNode c;  // a negative pad crops
  c.input("x", {3, 6});
  c.finish(OpKind::Pad, {"x"}, {{"pads", std::vector<int64_t>{1, -2, 0, -1}}});
  check_against_interpreter(c);
}

TEST(LowerTensor, ReduceFamily) {
  // Canonical form: axes and keepdims explicit (ReduceLogSumExp is decomposed).
  const std::pair<OpKind, float> ops[] = {{OpKind::ReduceMin, -1.0f},  {OpKind::ReduceProd, -1.0f},
                                          {OpKind::ReduceL1, -1.0f},   {OpKind::ReduceL2, -1.0f},
                                          {OpKind::ReduceSumSquare, -1.0f},
                                          {OpKind::ReduceLogSum, 0.1f}};  // log needs x > 0
  for (const auto &[op, lo] : ops) {
    SCOPED_TRACE(graph::op_name(op));
    for (int64_t keep : {0, 1}) {
      OneNode t;
      t.input("x", {2, 3, 4, 5}, lo, 2.0f);
      t.finish(op, {"x"}, {{"axes", std::vector<int64_t>{1, 3}}, {"keepdims", keep}});
      check_against_interpreter(t);
    }
  }
}

TEST(LowerElementwise, AddWithBroadcast) {
  OneNode t;
  t.input("a", {2, 3, 4, 5});
  t.input("b", {3, 1, 5});
  t.finish(OpKind::Add, {"a", "b"}, {});
  check_against_interpreter(t);
  OneNode u;
  u.input("a", {4, 1});
  u.input("b", {1, 6});
  u.finish(OpKind::Add, {"a", "b"}, {});
  check_against_interpreter(u);
}

TEST(LowerElementwise, BatchNormalization) {
  OneNode t;
  t.input("x", {2, 4, 3, 5});
  t.constant("scale", {4}, 0.75f, 1.25f);
  t.constant("bias", {4});
  t.constant("mean", {4}, -0.1f, 0.1f);
  t.constant("var", {4}, 0.75f, 1.25f);
  t.finish(OpKind::BatchNormalization, {"x", "scale", "bias", "mean", "var"},
           {{"epsilon", 1e-3f}});
  check_against_interpreter(t);
}

TEST(Lower, ViewsAndCopy) {
  EXPECT_TRUE(is_view(OpKind::Flatten));
  EXPECT_TRUE(is_view(OpKind::Reshape));
  EXPECT_TRUE(is_view(OpKind::Identity));
  EXPECT_FALSE(is_view(OpKind::Conv));
  EXPECT_FALSE(is_view(OpKind::Relu));
  OneNode t;
  t.input("x", {2, 3});
  graph::Graph &g = t.finish(OpKind::Relu, {"x"}, {});
  EXPECT_EQ(kernel_name(g, 0), "k000_relu");
  int x = g.find_value("x"), y = g.find_value("y");
  Kernel k = lower_copy(g, x, y, "kcopy");
  EXPECT_EQ(k.values, (std::vector<int>{x, y}));
  tir::PrimFunc f = schedule::Schedule(k.def).lower();
  auto in = t.input_data[0].f32;
  test::Memory mem = test::run_func(f, {in, std::vector<float>(6, 0)});
  EXPECT_EQ(mem.at(f.params[1].get()), in);
}

// transpose_matmul_rows: a large weight MatMul reads its row operand
// transposed, written first by a kernel of its own; run under the sw26010
// default schedule both kernels give the interpreter's answer. Below the
// size rule nothing changes.
TEST(TransposeRows, LargeWeightMatMulReadsTheTransposedRows) {
  OneNode t;
  t.input("a", {1, 64, 256});
  t.constant("w", {256, 256}, -0.1f, 0.1f);
  graph::Graph &g = t.finish(OpKind::MatMul, {"a", "w"}, {});
  const size_t values = g.values.size();
  std::vector<Kernel> ks = transpose_matmul_rows(g, {lower_node(g, 0)}, 64, 256, 256);
  ASSERT_EQ(ks.size(), 2u);
  EXPECT_TRUE(is_row_transpose(ks[0]));
  EXPECT_FALSE(is_row_transpose(ks[1]));
  ASSERT_EQ(g.values.size(), values + 1);
  const int at = static_cast<int>(values);
  EXPECT_EQ(ks[0].values, (std::vector<int>{g.inputs[0], at}));
  EXPECT_EQ(g.values[at].shape, (graph::Shape{256, 64}));
  EXPECT_EQ(ks[1].values[0], at);
  EXPECT_EQ(ks[1].def.inputs[0]->shape, (std::vector<int64_t>{256, 64}));

  const std::vector<float> want = swtc::interp::run(g, t.input_data).at(0).f32;
  const target::Target sw = target::get_target("sw26010");
  tir::PrimFunc f0 = target::default_schedule(ks[0].def, sw).lower();
  test::Memory m0 =
      test::run_func(f0, {t.input_data[0].f32, std::vector<float>(256 * 64, std::nanf(""))});
  const std::vector<float> a_t = m0.at(f0.params.back().get());
  for (int64_t m = 0; m < 64; ++m)
    for (int64_t k = 0; k < 256; ++k)
      ASSERT_EQ(a_t[k * 64 + m], t.input_data[0].f32[m * 256 + k]) << m << " " << k;
  tir::PrimFunc f1 = target::default_schedule(ks[1].def, sw).lower();
  test::Memory m1 = test::run_func(f1, {a_t, value_data(t, g.nodes[0].inputs[1]),
                                        std::vector<float>(want.size(), std::nanf(""))});
  const std::vector<float> got = m1.at(f1.params.back().get());
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-4 * std::max(1.0, std::fabs(double(want[i])))) << i;
}

TEST(TransposeRows, SmallMatMulUnchanged) {
  OneNode t;
  t.input("a", {1, 32, 256});
  t.constant("w", {256, 256});
  graph::Graph &g = t.finish(OpKind::MatMul, {"a", "w"}, {});
  const size_t values = g.values.size();
  std::vector<Kernel> ks = transpose_matmul_rows(g, {lower_node(g, 0)}, 64, 256, 256);
  ASSERT_EQ(ks.size(), 1u);
  EXPECT_EQ(g.values.size(), values);
  EXPECT_EQ(ks[0].values[0], g.inputs[0]);
}

}  // namespace
}  // namespace swtc::lower
