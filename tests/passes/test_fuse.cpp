// fuse_epilogues (swtc_lower): which kernels merge, and that the merged
// kernels, run in order in the tensor-IR evaluator (unscheduled and under the
// sw26010 default schedule with its LDM staging), give the reference
// interpreter's answer.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "common/error.h"
#include "compare.h"
#include "graph/passes/canonicalize.h"
#include "graph/printer.h"
#include "graph/shape_inference.h"
#include "graph_builder.h"
#include "interp/interpreter.h"
#include "lower/fuse.h"
#include "lower/inline_producers.h"
#include "lower/lower.h"
#include "schedule/schedule.h"
#include "target/target.h"
#include "tir/printer.h"
#include "tir_eval.h"

namespace swtc::lower {
namespace {

using graph::Graph;
using graph::OpKind;
using graph::TensorData;
using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using test::tensor_f32;
using test::tensor_i64;
using Attrs = std::map<std::string, graph::AttrValue>;

Attrs conv_attrs(int64_t k = 3, int64_t pad = 1) {
  return {{"kernel_shape", ints({k, k})}, {"strides", ints({1, 1})},
          {"pads", ints({pad, pad, pad, pad})}, {"dilations", ints({1, 1})},
          {"group", int64_t{1}}};
}

Attrs gemm_attrs(float alpha = 1.0f, float beta = 1.0f) {
  return {{"alpha", alpha}, {"beta", beta}, {"transA", int64_t{0}}, {"transB", int64_t{0}}};
}

int root_of(const std::vector<int> &alias_of, int v) {
  while (alias_of[v] >= 0) v = alias_of[v];
  return v;
}

/// The graph, its kernels before and after fusion (lowered as the driver's
/// lower_graph does: views become aliases, view outputs get copy kernels).
struct Case {
  Graph g;
  std::vector<int> alias_of;
  std::vector<Kernel> unfused, fused;
  std::vector<TensorData> inputs;

  explicit Case(Graph built) {
    g = graph::canonicalize(built);
    graph::infer_shapes(g);
    alias_of.assign(g.values.size(), -1);
    for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i) {
      const graph::Node &n = g.nodes[i];
      if (is_view(n.op)) {
        alias_of[n.outputs[0]] = n.inputs[0];
        continue;
      }
      unfused.push_back(lower_node(g, i));
    }
    for (int out : g.outputs) {
      const int src = alias_of[out];
      if (src < 0) continue;
      alias_of[out] = -1;
      unfused.push_back(lower_copy(g, src, out, "k_copy_" + g.values[out].name));
    }
    fused = fuse_epilogues(g, unfused, alias_of);
    unsigned seed = 500;
    for (int v : g.inputs) inputs.push_back(random_tensor(g.values[v].shape, seed++));
  }

  int node(const std::string &name) const {
    for (size_t i = 0; i < g.nodes.size(); ++i)
      if (g.nodes[i].name == name) return static_cast<int>(i);
    ADD_FAILURE() << "no node " << name << " in\n" << graph::to_text(g);
    return -2;
  }
  int value(const std::string &name) const { return g.find_value(name); }
};

enum class Sched { None, Sunway };

/// Runs the kernels in order; every value's data lives under its root (views
/// share storage, dense row-major). A value read before any kernel wrote it
/// reads NaN. Returns the graph outputs; `stages` gets the Stage statements
/// each kernel ran.
std::vector<TensorData> run_kernels(const Case &c, const std::vector<Kernel> &kernels, Sched s,
                                    std::vector<int> *stages = nullptr) {
  const Graph &g = c.g;
  std::map<int, std::vector<float>> data;
  for (size_t i = 0; i < g.inputs.size(); ++i) data[g.inputs[i]] = c.inputs[i].f32;
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].constant && g.values[v].constant->dtype == graph::DType::F32)
      data[static_cast<int>(v)] = g.values[v].constant->f32;
  const target::Target sw = target::get_target("sw26010");
  for (const Kernel &k : kernels) {
    tir::PrimFunc f = s == Sched::None ? schedule::Schedule(k.def).lower()
                                       : target::default_schedule(k.def, sw).lower();
    if (f.params.size() != k.values.size())
      throw std::runtime_error("kernel " + k.def.name + ": " + std::to_string(f.params.size()) +
                               " parameters for " + std::to_string(k.values.size()) + " values");
    std::vector<std::vector<float>> params;
    for (size_t i = 0; i < k.values.size(); ++i) {
      const int v = k.values[i];
      const int64_t n = graph::num_elements(g.values[v].shape);
      if (f.params[i]->elements() != n)
        throw std::runtime_error("kernel " + k.def.name + ": parameter " + f.params[i]->name +
                                 " has " + std::to_string(f.params[i]->elements()) +
                                 " elements, value " + g.values[v].name + " " +
                                 std::to_string(n));
      auto it = data.find(root_of(c.alias_of, v));
      if (i + 1 < k.values.size() && it != data.end())
        params.push_back(it->second);
      else
        params.push_back(std::vector<float>(n, std::numeric_limits<float>::quiet_NaN()));
    }
    int st = 0;
    test::Memory mem;
    try {
      mem = test::run_func(f, params, &st);
    } catch (const std::exception &e) {
      throw std::runtime_error(std::string(e.what()) + "\n" + tir::to_text(f));
    }
    if (stages) stages->push_back(st);
    data[root_of(c.alias_of, k.values.back())] = mem.at(f.params.back().get());
  }
  std::vector<TensorData> out;
  for (int o : g.outputs) {
    auto it = data.find(root_of(c.alias_of, o));
    const int64_t n = graph::num_elements(g.values[o].shape);
    out.push_back(tensor_f32(g.values[o].shape,
                             it != data.end()
                                 ? it->second
                                 : std::vector<float>(n, std::numeric_limits<float>::quiet_NaN())));
  }
  return out;
}

/// The unfused kernels, the fused ones and the fused ones under the sw26010
/// schedule all give interp::run's answer; every fused kernel stages in LDM.
void check_answers(const Case &c) {
  const auto want = interp::run(c.g, c.inputs);
  try {
    EXPECT_TRUE(test::same_outputs(run_kernels(c, c.unfused, Sched::None), want)) << "unfused";
    EXPECT_TRUE(test::same_outputs(run_kernels(c, c.fused, Sched::None), want))
        << "fused, no schedule\n" << graph::to_text(c.g);
    std::vector<int> stages;
    EXPECT_TRUE(test::same_outputs(run_kernels(c, c.fused, Sched::Sunway, &stages), want))
        << "fused, sw26010 schedule\n" << graph::to_text(c.g);
    for (size_t i = 0; i < c.fused.size(); ++i) {
      if (!c.fused[i].fused.empty()) {
        EXPECT_GT(stages.at(i), 0) << c.fused[i].def.name << " ran no LDM stage";
      }
    }
  } catch (const std::exception &e) {
    ADD_FAILURE() << e.what();
  }
}

/// Kernel count, and per kernel its node and fused nodes.
void expect_kernels(const Case &c, const std::vector<std::pair<int, std::vector<int>>> &want) {
  ASSERT_EQ(c.fused.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(c.fused[i].node, want[i].first) << "kernel " << i << " " << c.fused[i].def.name;
    EXPECT_EQ(c.fused[i].fused, want[i].second) << "kernel " << i << " " << c.fused[i].def.name;
    EXPECT_EQ(c.fused[i].values.size(), c.fused[i].def.inputs.size() + 1);
  }
}

TEST(FuseEpilogues, ConvRelu) {
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.constant("bias", random_tensor({4}, 2));
  b.node(OpKind::Conv, {"x", "w", "bias"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Relu, {"c"}, "y", {}, "relu");
  b.output("y");
  Case c(b.graph());
  ASSERT_EQ(c.unfused.size(), 2u);
  expect_kernels(c, {{c.node("conv"), {c.node("relu")}}});
  EXPECT_EQ(c.fused[0].values.back(), c.value("y"));
  const std::string name = c.fused[0].def.name;
  EXPECT_EQ(name.substr(name.size() - 5), "_relu") << name;
  check_answers(c);
}

TEST(FuseEpilogues, ConvAddResidualFromEarlierNodeRelu) {
  for (bool residual_first : {false, true}) {
    SCOPED_TRACE(residual_first ? "Add(r0, c1)" : "Add(c1, r0)");
    GraphBuilder b;
    b.input("x", {1, 4, 5, 5});
    b.constant("w0", random_tensor({4, 4, 3, 3}, 1));
    b.constant("w1", random_tensor({4, 4, 3, 3}, 2));
    b.constant("b1", random_tensor({4}, 3));
    b.node(OpKind::Conv, {"x", "w0"}, "c0", conv_attrs(), "conv0");
    b.node(OpKind::Relu, {"c0"}, "r0", {}, "relu0");
    b.node(OpKind::Conv, {"r0", "w1", "b1"}, "c1", conv_attrs(), "conv1");
    if (residual_first)
      b.node(OpKind::Add, {"r0", "c1"}, "s", {}, "add");
    else
      b.node(OpKind::Add, {"c1", "r0"}, "s", {}, "add");
    b.node(OpKind::Relu, {"s"}, "y", {}, "relu1");
    b.output("y");
    Case c(b.graph());
    ASSERT_EQ(c.unfused.size(), 5u);
    expect_kernels(c, {{c.node("conv0"), {c.node("relu0")}},
                       {c.node("conv1"), {c.node("add"), c.node("relu1")}}});
    check_answers(c);
  }
}

TEST(FuseEpilogues, GemmAddBiasVectorBroadcast) {
  GraphBuilder b;
  b.input("x", {3, 5});
  b.constant("w", random_tensor({5, 6}, 1));
  b.constant("bias", random_tensor({6}, 2));
  b.node(OpKind::Gemm, {"x", "w"}, "m", gemm_attrs(), "gemm");
  b.node(OpKind::Add, {"m", "bias"}, "y", {}, "add");
  b.output("y");
  Case c(b.graph());
  expect_kernels(c, {{c.node("gemm"), {c.node("add")}}});
  check_answers(c);
}

TEST(FuseEpilogues, GemmWithEpilogueThenBiasAndRelu) {
  // The Gemm already has an epilogue (alpha, C): the Add and Relu wrap it.
  GraphBuilder b;
  b.input("x", {4, 7});
  b.constant("w", random_tensor({7, 5}, 1));
  b.constant("cm", random_tensor({4, 5}, 2));
  b.constant("bias", random_tensor({1, 5}, 3));
  b.node(OpKind::Gemm, {"x", "w", "cm"}, "m", gemm_attrs(0.5f, 2.0f), "gemm");
  b.node(OpKind::Add, {"bias", "m"}, "s", {}, "add");
  b.node(OpKind::Relu, {"s"}, "y", {}, "relu");
  b.output("y");
  Case c(b.graph());
  expect_kernels(c, {{c.node("gemm"), {c.node("add"), c.node("relu")}}});
  check_answers(c);
}

TEST(FuseEpilogues, ElementwiseChainAddReluClip) {
  GraphBuilder b;
  b.input("a", {2, 3, 4});
  b.input("bb", {2, 3, 4});
  b.constant("lo", tensor_f32({}, {0.0f}));
  b.constant("hi", tensor_f32({}, {0.5f}));
  b.node(OpKind::Add, {"a", "bb"}, "s", {}, "add");
  b.node(OpKind::Relu, {"s"}, "r", {}, "relu");
  b.node(OpKind::Clip, {"r", "lo", "hi"}, "y", {}, "clip");
  b.output("y");
  Case c(b.graph());
  ASSERT_EQ(c.unfused.size(), 3u);
  expect_kernels(c, {{c.node("add"), {c.node("relu"), c.node("clip")}}});
  check_answers(c);
}

TEST(FuseEpiloguesNot, ProducerOutputUsedTwice) {
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Relu, {"c"}, "y1", {}, "relu");
  b.node(OpKind::Sigmoid, {"c"}, "y2", {}, "sigmoid");
  b.output("y1");
  b.output("y2");
  Case c(b.graph());
  expect_kernels(c, {{c.node("conv"), {}}, {c.node("relu"), {}}, {c.node("sigmoid"), {}}});
  check_answers(c);
}

TEST(FuseEpiloguesNot, ProducerOutputUsedTwiceButConsumerFusesIntoTheOtherUse) {
  // c feeds Relu and Add: Relu stays apart from the Conv, the Add (reading c,
  // which is ready) merges into the Relu.
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Relu, {"c"}, "r", {}, "relu");
  b.node(OpKind::Add, {"c", "r"}, "y", {}, "add");
  b.output("y");
  Case c(b.graph());
  expect_kernels(c, {{c.node("conv"), {}}, {c.node("relu"), {c.node("add")}}});
  check_answers(c);
}

TEST(FuseEpiloguesNot, ProducerOutputIsAGraphOutput) {
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Relu, {"c"}, "y", {}, "relu");
  b.output("c");
  b.output("y");
  Case c(b.graph());
  expect_kernels(c, {{c.node("conv"), {}}, {c.node("relu"), {}}});
  check_answers(c);
}

TEST(FuseEpiloguesNot, ConsumerReadsProducerThroughABroadcast) {
  // GlobalAveragePool gives [1,8,1,1]; the Add's output is [1,8,4,4].
  for (bool pool_first : {true, false}) {
    SCOPED_TRACE(pool_first ? "Add(p, z)" : "Add(z, p)");
    GraphBuilder b;
    b.input("x", {1, 8, 4, 4});
    b.input("z", {1, 8, 4, 4});
    b.node(OpKind::GlobalAveragePool, {"x"}, "p", {}, "gap");
    if (pool_first)
      b.node(OpKind::Add, {"p", "z"}, "y", {}, "add");
    else
      b.node(OpKind::Add, {"z", "p"}, "y", {}, "add");
    b.output("y");
    Case c(b.graph());
    expect_kernels(c, {{c.node("gap"), {}}, {c.node("add"), {}}});
    check_answers(c);
  }
}

TEST(FuseEpiloguesNot, ConsumerReadsProducerAtAPermutedIndex) {
  // Same shape in and out, but the Transpose reads c[n, o, x, y].
  GraphBuilder b;
  b.input("x", {1, 3, 5, 5});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Transpose, {"c"}, "y", {{"perm", ints({0, 1, 3, 2})}}, "transpose");
  b.output("y");
  Case c(b.graph());
  expect_kernels(c, {{c.node("conv"), {}}, {c.node("transpose"), {}}});
  check_answers(c);
}

TEST(FuseEpiloguesNot, OtherInputProducedAfterTheProducer) {
  // a = Conv0(x) runs first, b = Conv1(x) later; Add(a, b) may not merge into
  // Conv0 (b is not ready then), nor into Conv1 (b is also a graph output).
  GraphBuilder b;
  b.input("x", {1, 3, 5, 5});
  b.constant("w0", random_tensor({4, 3, 3, 3}, 1));
  b.constant("w1", random_tensor({4, 3, 3, 3}, 2));
  b.node(OpKind::Conv, {"x", "w0"}, "a", conv_attrs(), "conv0");
  b.node(OpKind::Conv, {"x", "w1"}, "bv", conv_attrs(), "conv1");
  b.node(OpKind::Add, {"a", "bv"}, "y", {}, "add");
  b.output("y");
  b.output("bv");
  Case c(b.graph());
  expect_kernels(c, {{c.node("conv0"), {}}, {c.node("conv1"), {}}, {c.node("add"), {}}});
  check_answers(c);
}

TEST(FuseEpilogues, AddOfTwoProducersMergesIntoTheLaterOne) {
  // The positive counterpart: b has one use, so the Add merges into Conv1.
  GraphBuilder b;
  b.input("x", {1, 3, 5, 5});
  b.constant("w0", random_tensor({4, 3, 3, 3}, 1));
  b.constant("w1", random_tensor({4, 3, 3, 3}, 2));
  b.node(OpKind::Conv, {"x", "w0"}, "a", conv_attrs(), "conv0");
  b.node(OpKind::Conv, {"x", "w1"}, "bv", conv_attrs(), "conv1");
  b.node(OpKind::Add, {"a", "bv"}, "y", {}, "add");
  b.output("y");
  Case c(b.graph());
  expect_kernels(c, {{c.node("conv0"), {}}, {c.node("conv1"), {c.node("add")}}});
  check_answers(c);
}

TEST(FuseEpiloguesNot, ConsumerReadsProducerThroughAView) {
  // Conv -> Reshape (a view, no kernel) -> Relu: the Relu reads the Conv's
  // storage under another name; it stays a kernel of its own.
  GraphBuilder b;
  b.input("x", {1, 3, 5, 5});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.constant("shape", tensor_i64({2}, {4, 25}));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Reshape, {"c", "shape"}, "cv", {}, "reshape");
  b.node(OpKind::Relu, {"cv"}, "y", {}, "relu");
  b.output("y");
  Case c(b.graph());
  expect_kernels(c, {{c.node("conv"), {}}, {c.node("relu"), {}}});
  check_answers(c);
}

// Regression test for a bug this suite found in src/lower/fuse.cpp (fixed).
TEST(FuseEpiloguesNot, OtherInputIsAViewOfALaterProducersOutput) {
  GraphBuilder b;
  b.input("x", {4, 7});
  b.input("x2", {1, 3, 5, 5});
  b.constant("wg", random_tensor({7, 25}, 1));
  b.constant("wc", random_tensor({4, 3, 3, 3}, 2));
  b.constant("shape", tensor_i64({2}, {4, 25}));
  b.node(OpKind::Gemm, {"x", "wg"}, "a", gemm_attrs(), "gemm");
  b.node(OpKind::Conv, {"x2", "wc"}, "bc", conv_attrs(), "conv");
  b.node(OpKind::Reshape, {"bc", "shape"}, "bv", {}, "reshape");
  b.node(OpKind::Add, {"a", "bv"}, "y", {}, "add");
  b.output("y");
  Case c(b.graph());
  ASSERT_EQ(c.unfused.size(), 3u);
  // Kernel 0 (the Gemm) must not take the Add.
  ASSERT_GE(c.fused.size(), 2u);
  EXPECT_TRUE(c.fused[0].fused.empty()) << c.fused[0].def.name;
  check_answers(c);
}

TEST(FuseEpilogues, OtherInputIsAViewOfAnEarlierValue) {
  // The residual comes through a Reshape of a value computed before the
  // producer: ready, so the Add merges into the Conv.
  GraphBuilder b;
  b.input("x", {1, 4, 25});
  b.constant("shape", tensor_i64({4}, {1, 4, 5, 5}));
  b.constant("w", random_tensor({4, 4, 3, 3}, 1));
  b.node(OpKind::Relu, {"x"}, "r", {}, "relu");
  b.node(OpKind::Reshape, {"r", "shape"}, "rv", {}, "reshape");
  b.node(OpKind::Conv, {"rv", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Add, {"c", "rv"}, "y", {}, "add");
  b.output("y");
  Case c(b.graph());
  expect_kernels(c, {{c.node("relu"), {}}, {c.node("conv"), {c.node("add")}}});
  check_answers(c);
}

TEST(FuseEpilogues, PoolProducersAndABatchNormConsumer) {
  // MaxPool (Max combiner, padding guard) -> Relu; AveragePool (epilogue
  // dividing by the count) -> Sigmoid; GlobalAveragePool -> Relu; Conv ->
  // BatchNormalization with graph-input statistics (a per-channel consumer).
  GraphBuilder b;
  b.input("x", {1, 4, 7, 7});
  b.input("mean", {4});
  b.constant("w", random_tensor({4, 4, 3, 3}, 1));
  b.constant("scale", random_tensor({4}, 2, 0.75f, 1.25f));
  b.constant("shift", random_tensor({4}, 3));
  b.constant("var", random_tensor({4}, 4, 0.75f, 1.25f));
  const Attrs pool = {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})},
                      {"pads", ints({1, 1, 1, 1})}};
  b.node(OpKind::MaxPool, {"x"}, "mp", pool, "maxpool");
  b.node(OpKind::Relu, {"mp"}, "y1", {}, "relu1");
  b.node(OpKind::AveragePool, {"x"}, "ap", pool, "avgpool");
  b.node(OpKind::Sigmoid, {"ap"}, "y2", {}, "sigmoid");
  b.node(OpKind::GlobalAveragePool, {"x"}, "gp", {}, "gap");
  b.node(OpKind::Relu, {"gp"}, "y3", {}, "relu3");
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::BatchNormalization, {"c", "scale", "shift", "mean", "var"}, "y4",
         {{"epsilon", 1e-5f}}, "bn");
  b.output("y1");
  b.output("y2");
  b.output("y3");
  b.output("y4");
  Case c(b.graph());
  expect_kernels(c, {{c.node("maxpool"), {c.node("relu1")}},
                     {c.node("avgpool"), {c.node("sigmoid")}},
                     {c.node("gap"), {c.node("relu3")}},
                     {c.node("conv"), {c.node("bn")}}});
  check_answers(c);
}

TEST(FuseEpilogues, GraphOutputIsAViewOfTheFusedResult) {
  // Conv -> Relu -> Flatten (graph output): the Relu merges into the Conv;
  // the Flatten output gets a copy kernel, which is never fused.
  GraphBuilder b;
  b.input("x", {2, 3, 4, 4});
  b.constant("w", random_tensor({5, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Relu, {"c"}, "r", {}, "relu");
  b.node(OpKind::Flatten, {"r"}, "y", {{"axis", int64_t{1}}}, "flatten");
  b.output("y");
  Case c(b.graph());
  ASSERT_EQ(c.unfused.size(), 3u);
  expect_kernels(c, {{c.node("conv"), {c.node("relu")}}, {-1, {}}});
  EXPECT_EQ(c.fused[1].values.front(), c.value("r"));
  EXPECT_EQ(c.fused[1].values.back(), c.value("y"));
  check_answers(c);
}

TEST(FuseEpiloguesNot, ProducerOutputIsAlsoReadThroughAView) {
  // c feeds the Relu and, through a Flatten, a graph output: two uses.
  GraphBuilder b;
  b.input("x", {1, 3, 4, 4});
  b.constant("w", random_tensor({2, 3, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "c", conv_attrs(), "conv");
  b.node(OpKind::Flatten, {"c"}, "cf", {{"axis", int64_t{1}}}, "flatten");
  b.node(OpKind::Relu, {"c"}, "y", {}, "relu");
  b.output("y");
  b.output("cf");
  Case c(b.graph());
  expect_kernels(c, {{c.node("conv"), {}}, {c.node("relu"), {}}, {-1, {}}});
  check_answers(c);
}

// inline_producers: elementwise kernels read once per element by their
// readers are computed by them; the kernels left give the interpreter's
// answer unscheduled and under the sw26010 schedule.
Attrs reduce_last() { return {{"axes", ints({-1})}, {"keepdims", int64_t{1}}}; }

std::vector<Kernel> inlined(const Case &c) { return inline_producers(c.g, c.fused, c.alias_of); }

void check_inlined(const Case &c, const std::vector<Kernel> &ks) {
  const auto want = interp::run(c.g, c.inputs);
  EXPECT_TRUE(test::same_outputs(run_kernels(c, ks, Sched::None), want)) << "inlined";
  EXPECT_TRUE(test::same_outputs(run_kernels(c, ks, Sched::Sunway), want)) << "inlined, sw26010";
  for (const Kernel &k : ks) EXPECT_EQ(k.values.size(), k.def.inputs.size() + 1) << k.def.name;
}

TEST(InlineProducers, LayerNormShapedChainKeepsTheReductions) {
  // m = mean(x); d = x - m; v = mean(d * d); y = d / v: d is read by the
  // square and the division, d * d by the second reduction, each element
  // once: three kernels (two reductions, the division) instead of five.
  GraphBuilder b;
  b.input("x", {2, 6, 16});
  b.node(OpKind::ReduceMean, {"x"}, "m", reduce_last(), "mean");
  b.node(OpKind::Sub, {"x", "m"}, "d", {}, "sub");
  b.node(OpKind::Mul, {"d", "d"}, "sq", {}, "square");
  b.node(OpKind::ReduceMean, {"sq"}, "v", reduce_last(), "var");
  b.node(OpKind::Div, {"d", "v"}, "y", {}, "div");
  b.output("y");
  Case c(b.graph());
  ASSERT_EQ(c.fused.size(), 5u);
  const std::vector<Kernel> ks = inlined(c);
  ASSERT_EQ(ks.size(), 3u);
  EXPECT_EQ(ks[0].node, c.node("mean"));
  EXPECT_EQ(ks[1].node, c.node("var"));
  EXPECT_EQ(ks[1].fused, (std::vector<int>{c.node("square"), c.node("sub")}));
  EXPECT_EQ(ks[2].node, c.node("div"));
  EXPECT_EQ(ks[2].fused, (std::vector<int>{c.node("sub")}));
  // The division's own input first, then the inlined Sub's.
  EXPECT_EQ(ks[2].values, (std::vector<int>{c.value("v"), c.value("x"), c.value("m"), c.value("y")}));
  check_inlined(c, ks);
}

TEST(InlineProducersNot, ReaderRereadsElements) {
  // A Conv reads each input element for many outputs: the Add stays.
  GraphBuilder b;
  b.input("x", {1, 3, 6, 6});
  b.input("z", {1, 3, 6, 6});
  b.constant("w", random_tensor({4, 3, 3, 3}, 1));
  b.node(OpKind::Add, {"x", "z"}, "a", {}, "add");
  b.node(OpKind::Conv, {"a", "w"}, "y", conv_attrs(), "conv");
  b.output("y");
  Case c(b.graph());
  ASSERT_EQ(c.fused.size(), 2u);
  const std::vector<Kernel> ks = inlined(c);
  ASSERT_EQ(ks.size(), 2u);
  check_inlined(c, ks);
}

TEST(InlineProducersNot, ProducerOutputIsAGraphOutputOrBroadcast) {
  // d is a graph output: it keeps its kernel. e = exp(s) is read by y
  // through a broadcast (each element for 16 outputs): it keeps its kernel.
  // t = sigmoid(d), read once per element by y, is computed by y.
  GraphBuilder b;
  b.input("x", {2, 6, 16});
  b.input("s", {2, 6, 1});
  b.node(OpKind::Sub, {"x", "s"}, "d", {}, "sub");
  b.node(OpKind::Sigmoid, {"d"}, "t", {}, "sigmoid");
  b.node(OpKind::Exp, {"s"}, "e", {}, "exp");
  b.node(OpKind::Mul, {"t", "e"}, "y", {}, "mul");
  b.output("d");
  b.output("y");
  Case c(b.graph());
  ASSERT_EQ(c.fused.size(), 4u);
  const std::vector<Kernel> ks = inlined(c);
  ASSERT_EQ(ks.size(), 3u);
  EXPECT_EQ(ks[0].node, c.node("sub"));
  EXPECT_EQ(ks[1].node, c.node("exp"));
  EXPECT_EQ(ks[2].node, c.node("mul"));
  EXPECT_EQ(ks[2].fused, (std::vector<int>{c.node("sigmoid")}));
  check_inlined(c, ks);
}

}  // namespace
}  // namespace swtc::lower
