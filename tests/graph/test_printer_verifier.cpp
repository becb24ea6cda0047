#include <gtest/gtest.h>

#include "common/error.h"
#include "graph/printer.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"
#include "graph_builder.h"

namespace swtc::graph {
namespace {

using test::GraphBuilder;
using test::ints;
using test::random_tensor;

Graph small_net() {
  GraphBuilder b("tiny", 13);
  b.input("input", {1, 3, 8, 8});
  b.constant("conv1.weight", random_tensor({4, 3, 3, 3}, 1));
  b.constant("conv1.bias", random_tensor({4}, 2));
  b.node(OpKind::Conv, {"input", "conv1.weight", "conv1.bias"}, "x1",
         {{"strides", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}, {"group", int64_t{1}}},
         "/conv1/Conv");
  b.node(OpKind::Relu, {"x1"}, "x2", {}, "/relu/Relu");
  b.node(OpKind::Gemm, {"x2", "conv1.weight", ""}, "unused_gemm_out", {{"alpha", 0.5f}},
         "/fc/Gemm");
  b.graph().nodes.pop_back();  // keep the graph valid: drop the Gemm again
  b.graph().values.pop_back();
  b.output("x2");
  Graph g = b.graph();
  infer_shapes(g);
  return g;
}

TEST(Printer, StableText) {
  Graph g = small_net();
  std::string expected =
      "graph tiny (opset 13)\n"
      "  input  %input: f32[1,3,8,8]\n"
      "  const  %conv1.weight: f32[4,3,3,3]\n"
      "  const  %conv1.bias: f32[4] = " +
      attr_str(g.values[2].constant->f32) +
      "\n"
      "  %x1: f32[1,4,4,4] = Conv(%input, %conv1.weight, %conv1.bias) {group=1, "
      "pads=[1,1,1,1], strides=[2,2]}  # /conv1/Conv\n"
      "  %x2: f32[1,4,4,4] = Relu(%x1)  # /relu/Relu\n"
      "  output %x2\n";
  EXPECT_EQ(to_text(g), expected);
  EXPECT_EQ(to_text(g), to_text(small_net()));
}

TEST(Printer, AttributeValues) {
  EXPECT_EQ(attr_str(int64_t{3}), "3");
  EXPECT_EQ(attr_str(1e-5f), "1e-05");
  EXPECT_EQ(attr_str(0.5f), "0.5");
  EXPECT_EQ(attr_str(std::string("SAME_UPPER")), "\"SAME_UPPER\"");
  EXPECT_EQ(attr_str(ints({1, -1})), "[1,-1]");
  EXPECT_EQ(attr_str(test::tensor_i64({2}, {1, -1})), "tensor<i64[2]>[1,-1]");
}

TEST(Printer, OmittedInputAndUnknownShape) {
  GraphBuilder b;
  b.input("a", {2, 3});
  b.input("b", {3, 4});
  b.node(OpKind::Gemm, {"a", "b", ""}, "y", {}, "fc");
  b.output("y");
  std::string text = to_text(b.graph());
  EXPECT_NE(text.find("  %y: ? = Gemm(%a, %b, _)  # fc\n"), std::string::npos) << text;
}

std::string verify_error(const Graph &g) {
  try {
    verify(g);
  } catch (const InternalError &e) {
    return e.what();
  }
  return "";
}

TEST(Verifier, AcceptsValidGraph) { EXPECT_EQ(verify_error(small_net()), ""); }

TEST(Verifier, RejectsUseBeforeDefinition) {
  Graph g = small_net();
  std::swap(g.nodes[0], g.nodes[1]);
  EXPECT_NE(verify_error(g).find("uses 'x1' before it is defined"), std::string::npos)
      << verify_error(g);
}

TEST(Verifier, RejectsOutOfRangeIdsAndDoubleDefinition) {
  Graph g = small_net();
  g.nodes[1].inputs[0] = 99;
  EXPECT_NE(verify_error(g).find("id 99 out of range"), std::string::npos) << verify_error(g);
  Graph h = small_net();
  h.nodes[1].outputs[0] = h.nodes[0].outputs[0];
  EXPECT_NE(verify_error(h).find("redefines 'x1'"), std::string::npos) << verify_error(h);
}

TEST(Verifier, RejectsMissingShapeArityAndUndefinedOutput) {
  Graph g = small_net();
  g.values[g.find_value("x2")].has_shape = false;
  EXPECT_NE(verify_error(g).find("value 'x2' has no shape"), std::string::npos);
  Graph h = small_net();
  h.nodes[1].inputs.push_back(0);
  EXPECT_NE(verify_error(h).find("node '/relu/Relu' (Relu) has 2 inputs, expected 1..1"),
            std::string::npos)
      << verify_error(h);
  Graph k = small_net();
  Value dangling;
  dangling.name = "nowhere";
  k.outputs.push_back(k.add_value(dangling));
  EXPECT_NE(verify_error(k).find("graph output 'nowhere' is never defined"), std::string::npos);
}

TEST(GraphBasics, NamesAndHelpers) {
  EXPECT_STREQ(op_name(OpKind::Conv), "Conv");
  EXPECT_EQ(op_from_name("BatchNormalization"), OpKind::BatchNormalization);
  EXPECT_FALSE(op_from_name("Det"));
  // is_reduction (graph/reduce_ops.def) is exactly the ONNX Reduce* ops.
  for (const char *name : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
                           "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum",
                           "ReduceLogSumExp"}) {
    ASSERT_TRUE(op_from_name(name)) << name;
    EXPECT_TRUE(is_reduction(*op_from_name(name))) << name;
    EXPECT_EQ(op_arity(*op_from_name(name)).max_inputs, 2) << name;
  }
  for (OpKind k : {OpKind::ArgMax, OpKind::Softmax, OpKind::Sum, OpKind::GlobalAveragePool})
    EXPECT_FALSE(is_reduction(k)) << op_name(k);
  EXPECT_STREQ(dtype_name(DType::I64), "i64");
  EXPECT_EQ(num_elements({2, 3, 4}), 24);
  EXPECT_EQ(num_elements({}), 1);
  EXPECT_EQ(shape_str({1, 3, 224, 224}), "[1,3,224,224]");
  EXPECT_EQ(shape_str({}), "[]");
  Graph g = small_net();
  EXPECT_EQ(g.describe(0), "node '/conv1/Conv' (Conv)");
  EXPECT_EQ(g.find_value("conv1.bias"), 2);
  EXPECT_EQ(g.find_value("nope"), -1);
  const Node &conv = g.nodes[0];
  EXPECT_EQ(conv.attr_int("group", 7), 1);
  EXPECT_EQ(conv.attr_int("missing", 7), 7);
  EXPECT_FLOAT_EQ(conv.attr_float("group", 0.0f), 1.0f);  // int accepted as float
  EXPECT_EQ(conv.attr_string("auto_pad", "NOTSET"), "NOTSET");
  EXPECT_THROW(conv.attr_int("pads", 0), UserError);
}

}  // namespace
}  // namespace swtc::graph
