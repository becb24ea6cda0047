// split_batch (--ranks): the graph for one rank runs the network
// on batch B / N. The reference interpreter's answer on each slice of the
// batch equals that slice of its full-batch answer; graphs that mix samples
// are refused with an error naming the node, op and reason.
#include <gtest/gtest.h>


#include "common/error.h"
#include "compare.h"
#include "frontend/onnx/onnx_import.h"
#include "graph/passes/canonicalize.h"
#include "graph/passes/fold_constants.h"
#include "graph/passes/split_batch.h"
#include "graph/printer.h"
#include "graph/verifier.h"
#include "graph_builder.h"
#include "interp/interpreter.h"
#include "onnx_builder.h"

namespace swtc::graph {
namespace {

using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using test::same_outputs;
using Attrs = std::map<std::string, AttrValue>;

/// Samples [k * n, (k + 1) * n) of dim 0.
TensorData slice0(const TensorData &t, int64_t k, int64_t n) {
  TensorData s = t;
  const int64_t per = t.size() / t.shape[0];
  s.shape[0] = n;
  if (t.dtype == DType::F32)
    s.f32.assign(t.f32.begin() + k * n * per, t.f32.begin() + (k + 1) * n * per);
  else
    s.i64.assign(t.i64.begin() + k * n * per, t.i64.begin() + (k + 1) * n * per);
  return s;
}

/// Splits `g` (canonicalized) over `ncg` core groups and checks, slice by
/// slice, the interpreter's answer against the full-batch answer. Returns the split graph.
Graph check_split(const Graph &g, int ncg, unsigned seed = 100) {
  std::vector<TensorData> full;
  for (int v : g.inputs) full.push_back(random_tensor(g.values[v].shape, seed++, -2.0f, 2.0f));
  const std::vector<TensorData> want = interp::run(g, full);
  const std::string before = to_text(g);
  Graph s = split_batch(g, ncg);
  EXPECT_EQ(to_text(g), before) << "split_batch modified its input";
  EXPECT_NO_THROW(verify(s));
  const int64_t batch = g.values[g.inputs[0]].shape[0], n = batch / ncg;
  for (int v : s.inputs) EXPECT_EQ(s.values[v].shape[0], n) << s.values[v].name;
  for (int v : s.outputs) EXPECT_EQ(s.values[v].shape[0], n) << s.values[v].name;
  for (int k = 0; k < ncg; ++k) {
    std::vector<TensorData> in, expect;
    for (const auto &t : full) in.push_back(slice0(t, k, n));
    for (const auto &t : want) expect.push_back(slice0(t, k, n));
    EXPECT_TRUE(same_outputs(interp::run(s, in), expect))
        << "core group " << k << " of " << ncg << "\n" << to_text(s);
  }
  return s;
}

Attrs conv_attrs(int64_t k, int64_t pad) {
  return {{"kernel_shape", ints({k, k})}, {"pads", ints({pad, pad, pad, pad})}};
}

/// A small residual CNN on batch `b`: conv3x3 -> relu -> maxpool -> conv1x1 +
/// residual -> global average pool -> flatten -> gemm -> softmax.
Graph cnn(int64_t b) {
  GraphBuilder g;
  g.input("x", {b, 3, 8, 8});
  g.constant("w1", random_tensor({6, 3, 3, 3}, 1));
  g.constant("b1", random_tensor({6}, 2));
  g.constant("w2", random_tensor({6, 6, 1, 1}, 3));
  g.constant("fc_w", random_tensor({5, 6}, 4));
  g.constant("fc_b", random_tensor({5}, 5));
  g.node(OpKind::Conv, {"x", "w1", "b1"}, "c1", conv_attrs(3, 1), "conv1");
  g.node(OpKind::Relu, {"c1"}, "r1", {}, "relu1");
  g.node(OpKind::MaxPool, {"r1"}, "p1",
         {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}}, "pool1");
  g.node(OpKind::Conv, {"p1", "w2"}, "c2", conv_attrs(1, 0), "conv2");
  g.node(OpKind::Add, {"c2", "p1"}, "a", {}, "residual");
  g.node(OpKind::GlobalAveragePool, {"a"}, "gap", {}, "gap");
  g.node(OpKind::Flatten, {"gap"}, "flat", {{"axis", int64_t{1}}}, "flatten");
  g.node(OpKind::Gemm, {"flat", "fc_w", "fc_b"}, "fc", {{"transB", int64_t{1}}}, "fc");
  g.node(OpKind::Softmax, {"fc"}, "y", {{"axis", int64_t{1}}}, "softmax");
  g.output("y");
  return canonicalize(g.graph());
}

TEST(SplitBatch, OneCoreGroupIsTheIdentity) {
  Graph g = cnn(4);
  EXPECT_EQ(to_text(split_batch(g, 1)), to_text(g));
}

TEST(SplitBatch, CnnOverTwoAndFourCoreGroups) {
  for (int ncg : {2, 4}) {
    SCOPED_TRACE(ncg);
    Graph s = check_split(cnn(4), ncg);
    EXPECT_EQ(s.values[s.outputs[0]].shape, (Shape{4 / ncg, 5}));
  }
}

/// Attention-like graph on [b, 4, 8]: MatMul with a constant, a Reshape to
/// heads (rewritten), Transpose keeping axis 0, batched MatMul of two batched
/// operands, Softmax on the last axis, LayerNormalization, Concat/Slice/
/// Unsqueeze/Squeeze/Expand/ReduceMean on non-batch axes, a broadcast
/// constant with dim 0 == 1.
Graph attention(int64_t b) {
  GraphBuilder g;
  g.input("x", {b, 4, 8});
  g.constant("wq", random_tensor({8, 8}, 11));
  g.constant("bias", random_tensor({1, 4, 8}, 12));
  g.constant("ln_s", random_tensor({8}, 13, 0.75f, 1.25f));
  g.constant("ln_b", random_tensor({8}, 14));
  g.node(OpKind::MatMul, {"x", "wq"}, "q", {}, "q");
  g.node(OpKind::Add, {"q", "bias"}, "qb", {}, "add_bias");
  g.node(OpKind::Reshape, {"qb"}, "heads", {{"shape", ints({b, 4, 2, 4})}}, "split_heads");
  g.node(OpKind::Transpose, {"heads"}, "ht", {{"perm", ints({0, 2, 1, 3})}}, "to_heads");
  g.node(OpKind::Transpose, {"heads"}, "kt", {{"perm", ints({0, 2, 3, 1})}}, "keys_t");
  g.node(OpKind::MatMul, {"ht", "kt"}, "scores", {}, "scores");
  g.node(OpKind::Softmax, {"scores"}, "probs", {{"axis", int64_t{-1}}}, "softmax");
  g.node(OpKind::MatMul, {"probs", "ht"}, "ctx", {}, "context");
  g.node(OpKind::Transpose, {"ctx"}, "ctx_t", {{"perm", ints({0, 2, 1, 3})}}, "from_heads");
  g.node(OpKind::Reshape, {"ctx_t"}, "merged", {{"shape", ints({b, 4, 8})}}, "merge_heads");
  g.node(OpKind::LayerNormalization, {"merged", "ln_s", "ln_b"}, "ln", {{"axis", int64_t{-1}}},
         "ln");
  g.node(OpKind::Concat, {"ln", "x"}, "cat", {{"axis", int64_t{1}}}, "concat");
  g.node(OpKind::Slice, {"cat"}, "sl",
         {{"starts", ints({0, 1, 0})}, {"ends", ints({b, 7, 8})}, {"axes", ints({0, 1, 2})},
          {"steps", ints({1, 2, 1})}},
         "slice");
  g.node(OpKind::ReduceMean, {"sl"}, "m", {{"axes", ints({2})}, {"keepdims", int64_t{1}}}, "mean");
  g.node(OpKind::Expand, {"m"}, "e", {{"shape", ints({b, 3, 8})}}, "expand");
  g.node(OpKind::Unsqueeze, {"e"}, "u", {{"axes", ints({1})}}, "unsqueeze");
  g.node(OpKind::Squeeze, {"u"}, "sq", {{"axes", ints({1})}}, "squeeze");
  g.node(OpKind::Sub, {"sl", "sq"}, "y", {}, "centre");
  g.output("y");
  return canonicalize(g.graph());
}

TEST(SplitBatch, AttentionLikeGraphOverTwoThreeAndSixCoreGroups) {
  for (int ncg : {2, 3, 6}) {
    SCOPED_TRACE(ncg);
    Graph s = check_split(attention(6), ncg);
    for (const Node &n : s.nodes) {
      if (n.op == OpKind::Reshape || n.op == OpKind::Expand) {
        EXPECT_EQ(n.attr_ints("shape", {})[0], 6 / ncg) << n.name;
      }
      if (n.op == OpKind::Slice) {
        EXPECT_EQ(n.attr_ints("ends", {})[0], 6 / ncg);
      }
    }
  }
}

TEST(SplitBatch, ShapeSubgraphFoldedThenSplit) {
  // x.view(x.size(0), -1) as exporters write it: Shape -> Gather -> Unsqueeze
  // -> Concat -> Reshape; fold_constants computes the target [4, 48] for the
  // full batch, and the split rewrites it to the slice.
  using namespace test;
  std::vector<onnx::NodeProto> nodes;
  std::vector<onnx::TensorProto> inits;
  inits.push_back(make_tensor_i64("zero", {}, {0}));
  inits.push_back(make_tensor_i64("axes0", {1}, {0}));
  inits.push_back(make_tensor_i64("minus1", {1}, {-1}));
  nodes.push_back(make_node("Shape", {"x"}, {"shape"}, {}, "shape"));
  nodes.push_back(
      make_node("Gather", {"shape", "zero"}, {"batch"}, {attr_int("axis", 0)}, "gather"));
  nodes.push_back(make_node("Unsqueeze", {"batch", "axes0"}, {"batch1"}, {}, "unsqueeze"));
  nodes.push_back(make_node("Concat", {"batch1", "minus1"}, {"target"}, {attr_int("axis", 0)},
                            "concat"));
  nodes.push_back(make_node("Reshape", {"x", "target"}, {"flat"}, {}, "reshape"));
  nodes.push_back(make_node("Relu", {"flat"}, {"y"}, {}, "relu"));
  const std::string bytes = make_model(nodes, {make_input("x", {4, 3, 4, 4})}, inits, 13);
  Graph g = canonicalize(fold_constants(frontend::import_onnx_bytes(bytes, "shape_reshape")));
  Graph s = check_split(g, 2);
  EXPECT_EQ(s.values[s.outputs[0]].shape, (Shape{2, 48}));
}

/// The message of split_batch's user_error ("" if none).
std::string error_of(const Graph &g, int ncg) {
  try {
    split_batch(g, ncg);
  } catch (const UserError &e) {
    return e.what();
  }
  return "";
}

TEST(SplitBatch, BatchSizeErrors) {
  EXPECT_EQ(error_of(cnn(1), 4), "batch 1 (dim 0 of input 'x') cannot be split over 4 ranks");
  EXPECT_EQ(error_of(cnn(2), 4), "batch 2 (dim 0 of input 'x') cannot be split over 4 ranks");
  EXPECT_EQ(error_of(cnn(8), 3), "batch 8 (dim 0 of input 'x') is not divisible by 3 ranks");
  EXPECT_EQ(error_of(cnn(4), 0), "--ranks must be at least 1, got 0");
}

/// x [4, 6] through one node `op` with `attrs` (and constant inputs `consts`).
std::string one_node_error(OpKind op, Attrs attrs, std::vector<TensorData> consts = {},
                           Shape x = {4, 6}, bool second_input = false) {
  GraphBuilder g;
  g.input("x", x);
  std::vector<std::string> in = {"x"};
  if (second_input) {
    g.input("x2", {6, 4});
    in.push_back("x2");
  }
  for (size_t k = 0; k < consts.size(); ++k) {
    const std::string name = "c" + std::to_string(k);
    g.constant(name, consts[k]);
    in.push_back(name);
  }
  g.node(op, in, "y", std::move(attrs), "the_node");
  g.output("y");
  return error_of(canonicalize(g.graph()), 2);
}

TEST(SplitBatch, NodesThatMixSamplesAreRefused) {
  const std::string tail = ", so --ranks cannot split it";
  EXPECT_EQ(one_node_error(OpKind::Reshape, {{"shape", ints({2, 12})}}),
            "node 'the_node' (Reshape): its target shape mixes the batch with other dims" + tail);
  EXPECT_EQ(one_node_error(OpKind::Reshape, {{"shape", ints({24})}}),
            "node 'the_node' (Reshape): its target shape mixes the batch with other dims" + tail);
  EXPECT_EQ(one_node_error(OpKind::Transpose, {{"perm", ints({1, 0})}}),
            "node 'the_node' (Transpose): it moves the batch axis (perm[0] = 1)" + tail);
  EXPECT_EQ(one_node_error(OpKind::Softmax, {{"axis", int64_t{0}}}),
            "node 'the_node' (Softmax): its axis is 0, the batch axis" + tail);
  EXPECT_EQ(one_node_error(OpKind::ReduceSum, {{"axes", ints({0})}, {"keepdims", int64_t{1}}}),
            "node 'the_node' (ReduceSum): it reduces over axis 0, the batch axis" + tail);
  EXPECT_EQ(one_node_error(OpKind::Flatten, {{"axis", int64_t{0}}}),
            "node 'the_node' (Flatten): its axis is 0: it merges the batch with other dims" + tail);
  EXPECT_EQ(one_node_error(OpKind::Concat, {{"axis", int64_t{0}}}, {random_tensor({2, 6}, 1)}),
            "node 'the_node' (Concat): its axis is 0, the batch axis" + tail);
  EXPECT_EQ(one_node_error(OpKind::Gemm, {{"transA", int64_t{1}}}, {random_tensor({4, 3}, 1)}),
            "node 'the_node' (Gemm): its A is transposed (transA = 1): the batch is the "
            "contracted dimension" + tail);
  EXPECT_EQ(one_node_error(OpKind::Add, {}, {random_tensor({4, 6}, 1)}),
            "node 'the_node' (Add): its constant input 'c0' [4,6] has one entry per sample "
            "(dim 0 = 4): the ranks would need different constants" + tail);
  EXPECT_EQ(one_node_error(OpKind::Slice,
                           {{"starts", ints({1})}, {"ends", ints({3})}, {"axes", ints({0})}}),
            "node 'the_node' (Slice): it slices the batch axis" + tail);
  EXPECT_EQ(one_node_error(OpKind::Unsqueeze, {{"axes", ints({0})}}),
            "node 'the_node' (Unsqueeze): it inserts a new axis 0 before the batch" + tail);
  // A second input whose dim 0 is not the batch.
  EXPECT_EQ(one_node_error(OpKind::MatMul, {}, {}, {4, 6}, true),
            "input 'x2' has shape [6,4]: its dim 0 is not the batch 4 of input 'x'" + tail);
  // A 2-D batched B of MatMul is contracted over the batch.
  {
    GraphBuilder g;
    g.input("x", {4, 6});
    g.constant("w", random_tensor({3, 4}, 1));
    g.node(OpKind::MatMul, {"w", "x"}, "y", {}, "wx");
    g.output("y");
    EXPECT_EQ(error_of(canonicalize(g.graph()), 2),
              "node 'wx' (MatMul): its input B 'x' [4,6] has the batch in its contracted (row) "
              "dimension" + tail);
  }
}

TEST(SplitBatch, AnOutputThatDoesNotDependOnTheInputs) {
  GraphBuilder g;
  g.input("x", {4, 6});
  g.constant("k", random_tensor({4, 6}, 1));
  g.node(OpKind::Relu, {"x"}, "y", {}, "relu");
  g.node(OpKind::Neg, {"k"}, "z", {}, "neg");
  g.output("y");
  g.output("z");
  Graph c = canonicalize(g.graph());
  ASSERT_EQ(c.outputs.size(), 2u);
  EXPECT_EQ(error_of(c, 2),
            "graph output 'z' does not depend on the model's inputs (the same for every "
            "sample), so --ranks cannot split it");
}

TEST(SplitBatch, SamplesIndependent) {
  // A batch the split accepts, and batch 1 (one sample per run).
  EXPECT_EQ(samples_independent_problem(cnn(4)), "");
  EXPECT_EQ(samples_independent_problem(cnn(1)), "");
  // A node that mixes samples: the reason is split_batch's.
  GraphBuilder g;
  g.input("x", {4, 6});
  g.node(OpKind::Softmax, {"x"}, "y", {{"axis", int64_t{0}}}, "sm");
  g.output("y");
  const std::string why = samples_independent_problem(canonicalize(g.graph()));
  EXPECT_NE(why.find("node 'sm' (Softmax)"), std::string::npos) << why;
  // Batch 1 with an output whose dim 0 is not 1.
  GraphBuilder h;
  h.input("x", {1, 6});
  h.node(OpKind::Reshape, {"x"}, "y", {{"shape", ints({6})}}, "r");
  h.output("y");
  EXPECT_EQ(samples_independent_problem(canonicalize(h.graph())),
            "'y' has shape [6]: its dim 0 is not the batch 1");
}

}  // namespace
}  // namespace swtc::graph
