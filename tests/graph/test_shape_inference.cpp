#include "graph/shape_inference.h"

#include <gtest/gtest.h>

#include <limits>

#include "common/error.h"
#include "graph_builder.h"

namespace swtc::graph {
namespace {

using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using test::tensor_i64;

Shape shape_of(const Graph &g, const std::string &name) {
  int id = g.find_value(name);
  EXPECT_GE(id, 0) << name;
  EXPECT_TRUE(g.values[id].has_shape) << name;
  return g.values[id].shape;
}

/// The message of the UserError infer_shapes throws ("" if none).
std::string infer_error(Graph &g) {
  try {
    infer_shapes(g);
  } catch (const UserError &e) {
    return e.what();
  }
  return "";
}

Shape conv_shape(const Shape &x, const Shape &w, std::map<std::string, AttrValue> attrs) {
  GraphBuilder b;
  b.input("x", x);
  b.constant("w", random_tensor(w, 1));
  b.node(OpKind::Conv, {"x", "w"}, "y", std::move(attrs), "conv1");
  infer_shapes(b.graph());
  return shape_of(b.graph(), "y");
}

TEST(ShapeInference, ConvBasic) {
  EXPECT_EQ(conv_shape({1, 3, 224, 224}, {64, 3, 7, 7},
                       {{"strides", ints({2, 2})}, {"pads", ints({3, 3, 3, 3})}}),
            Shape({1, 64, 112, 112}));
  EXPECT_EQ(conv_shape({2, 3, 10, 12}, {5, 3, 3, 3}, {}), Shape({2, 5, 8, 10}));
}

TEST(ShapeInference, ConvDilationsAsymmetricPadsGroup) {
  // eff kernel = 2*(3-1)+1 = 5; H: (9+1+0-5)/2+1 = 3; W: (9+0+2-5)/1+1 = 7
  EXPECT_EQ(conv_shape({1, 4, 9, 9}, {6, 2, 3, 3},
                       {{"group", int64_t{2}},
                        {"dilations", ints({2, 2})},
                        {"strides", ints({2, 1})},
                        {"pads", ints({1, 0, 0, 2})}}),
            Shape({1, 6, 3, 7}));
  // Depthwise.
  EXPECT_EQ(conv_shape({1, 8, 5, 5}, {8, 1, 3, 3}, {{"group", int64_t{8}}}), Shape({1, 8, 3, 3}));
  // 1-D conv.
  EXPECT_EQ(conv_shape({1, 2, 10}, {3, 2, 3}, {{"strides", ints({3})}}), Shape({1, 3, 3}));
}

TEST(ShapeInference, ConvAutoPad) {
  EXPECT_EQ(conv_shape({1, 3, 7, 8}, {4, 3, 3, 3},
                       {{"auto_pad", std::string("SAME_UPPER")}, {"strides", ints({2, 2})}}),
            Shape({1, 4, 4, 4}));
  EXPECT_EQ(conv_shape({1, 3, 7, 8}, {4, 3, 3, 3}, {{"auto_pad", std::string("SAME_LOWER")}}),
            Shape({1, 4, 7, 8}));
  EXPECT_EQ(conv_shape({1, 3, 7, 8}, {4, 3, 3, 3}, {{"auto_pad", std::string("VALID")}}),
            Shape({1, 4, 5, 6}));
}

TEST(ShapeInference, ResolveWindowSamePads) {
  GraphBuilder b;
  b.input("x", {1, 1, 8, 8});
  b.node(OpKind::MaxPool, {"x"}, "y",
         {{"kernel_shape", ints({2, 2})}, {"auto_pad", std::string("SAME_LOWER")}});
  b.node(OpKind::MaxPool, {"x"}, "z",
         {{"kernel_shape", ints({2, 2})}, {"auto_pad", std::string("SAME_UPPER")}});
  infer_shapes(b.graph());
  // total pad 1: SAME_LOWER puts it at the beginning, SAME_UPPER at the end.
  EXPECT_EQ(resolve_window(b.graph(), 0).pads, ints({1, 1, 0, 0}));
  EXPECT_EQ(resolve_window(b.graph(), 1).pads, ints({0, 0, 1, 1}));
  EXPECT_EQ(shape_of(b.graph(), "y"), Shape({1, 1, 8, 8}));
}

TEST(ShapeInference, ConvChannelMismatchNamesNodeAndShapes) {
  GraphBuilder b;
  b.input("x", {1, 3, 8, 8});
  b.constant("w", random_tensor({8, 4, 3, 3}, 1));
  b.node(OpKind::Conv, {"x", "w"}, "y", {}, "conv1");
  std::string err = infer_error(b.graph());
  EXPECT_NE(err.find("node 'conv1' (Conv): input channels 3 do not match weight channels 4 x "
                     "group 1"),
            std::string::npos)
      << err;
}

TEST(ShapeInference, ConvErrors) {
  {
    GraphBuilder b;
    b.input("x", {1, 4, 8, 8});
    b.constant("w", random_tensor({3, 2, 3, 3}, 1));
    b.node(OpKind::Conv, {"x", "w"}, "y", {{"group", int64_t{2}}}, "c");
    EXPECT_NE(infer_error(b.graph()).find("output channels 3 are not divisible by group 2"),
              std::string::npos);
  }
  {
    GraphBuilder b;
    b.input("x", {1, 3, 8, 8});
    b.constant("w", random_tensor({4, 3, 3, 3}, 1));
    b.constant("bias", random_tensor({5}, 2));
    b.node(OpKind::Conv, {"x", "w", "bias"}, "y", {}, "c");
    EXPECT_NE(infer_error(b.graph()).find("bias shape [5] does not match output channels 4"),
              std::string::npos);
  }
  {
    GraphBuilder b;
    b.input("x", {1, 3, 2, 2});
    b.constant("w", random_tensor({4, 3, 3, 3}, 1));
    b.node(OpKind::Conv, {"x", "w"}, "y", {}, "c");
    EXPECT_NE(infer_error(b.graph()).find("larger than the padded input"), std::string::npos);
  }
  {
    GraphBuilder b;
    b.input("x", {1, 3, 8, 8});
    b.constant("w", random_tensor({4, 3, 3, 3}, 1));
    b.node(OpKind::Conv, {"x", "w"}, "y", {{"strides", ints({1, 1, 1})}}, "c");
    EXPECT_NE(infer_error(b.graph()).find("strides [1,1,1] must have 2 entries"),
              std::string::npos);
  }
}

TEST(ShapeInference, PoolCeilModeAndDilations) {
  auto pool = [](OpKind op, const Shape &x, std::map<std::string, AttrValue> attrs) {
    GraphBuilder b;
    b.input("x", x);
    b.node(op, {"x"}, "y", std::move(attrs));
    infer_shapes(b.graph());
    return shape_of(b.graph(), "y");
  };
  // ResNet stem: 3x3 s2 p1 on 112 -> 56.
  EXPECT_EQ(pool(OpKind::MaxPool, {1, 64, 112, 112},
                 {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})},
                  {"pads", ints({1, 1, 1, 1})}}),
            Shape({1, 64, 56, 56}));
  // floor: (6-3)/2+1 = 2; ceil: ceil(3/2)+1 = 3.
  EXPECT_EQ(pool(OpKind::MaxPool, {1, 1, 6, 6},
                 {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})}}),
            Shape({1, 1, 2, 2}));
  EXPECT_EQ(pool(OpKind::MaxPool, {1, 1, 6, 6},
                 {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})},
                  {"ceil_mode", int64_t{1}}}),
            Shape({1, 1, 3, 3}));
  // ceil_mode: a last window starting in the end padding is dropped:
  // in 5, k 2, s 2, pads 1/1: ceil((7-2)/2)+1 = 4 but window 3 starts at 5 >= 5+1-1 -> 3.
  EXPECT_EQ(pool(OpKind::AveragePool, {1, 1, 5, 5},
                 {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})},
                  {"pads", ints({1, 1, 1, 1})}, {"ceil_mode", int64_t{1}}}),
            Shape({1, 1, 3, 3}));
  EXPECT_EQ(pool(OpKind::MaxPool, {1, 2, 9, 9},
                 {{"kernel_shape", ints({3, 3})}, {"dilations", ints({2, 2})}}),
            Shape({1, 2, 5, 5}));
}

// Fuzzer-found (UBSan): SAME_UPPER on a dimension of 2^63 - 1 (the tensor
// has no elements, so the size checks pass) overflowed ceil(in / stride).
TEST(ShapeInference, SamePaddingOnTheLargestDimensionDoesNotOverflow) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  GraphBuilder b;
  b.input("x", {1, 0, big, 3});
  b.node(OpKind::AveragePool, {"x"}, "y",
         {{"kernel_shape", ints({3, 1})}, {"auto_pad", std::string("SAME_UPPER")}});
  infer_shapes(b.graph());
  EXPECT_EQ(shape_of(b.graph(), "y"), Shape({1, 0, big, 3}));
  // Flatten of [1, 256, 0, 65536, 2^62] at axis 3 (fuzzer-found): the
  // trailing product overflows.
  GraphBuilder f;
  f.input("x", {1, 256, 0, 65536, int64_t(1) << 62});
  f.node(OpKind::Flatten, {"x"}, "y", {{"axis", int64_t{3}}}, "fl");
  f.output("y");
  const std::string err = infer_error(f.graph());
  EXPECT_NE(err.find("gives a dimension above 2^63"), std::string::npos) << err;
}

TEST(ShapeInference, PoolNeedsKernelShape) {
  GraphBuilder b;
  b.input("x", {1, 1, 4, 4});
  b.node(OpKind::AveragePool, {"x"}, "y", {}, "pool");
  EXPECT_NE(infer_error(b.graph()).find("node 'pool' (AveragePool): missing required attribute "
                                        "kernel_shape"),
            std::string::npos);
}

TEST(ShapeInference, GemmTransposesAndBroadcastC) {
  auto gemm = [](const Shape &a, const Shape &bs, const Shape &c, int64_t ta, int64_t tb) {
    GraphBuilder b;
    b.input("a", a);
    b.constant("b", random_tensor(bs, 1));
    b.constant("c", random_tensor(c, 2));
    b.node(OpKind::Gemm, {"a", "b", "c"}, "y", {{"transA", ta}, {"transB", tb}}, "fc");
    std::string err = infer_error(b.graph());
    return err.empty() ? shape_str(shape_of(b.graph(), "y")) : err;
  };
  EXPECT_EQ(gemm({2, 3}, {3, 4}, {4}, 0, 0), "[2,4]");
  EXPECT_EQ(gemm({3, 2}, {4, 3}, {2, 1}, 1, 1), "[2,4]");
  EXPECT_EQ(gemm({1, 512}, {1000, 512}, {1000}, 0, 1), "[1,1000]");
  EXPECT_EQ(gemm({2, 3}, {3, 4}, {}, 0, 0), "[2,4]");  // scalar C
  EXPECT_NE(gemm({2, 3}, {4, 5}, {5}, 0, 0).find("inner dimensions do not match"),
            std::string::npos);
  EXPECT_NE(gemm({2, 3}, {3, 4}, {3}, 0, 0).find("C [3] cannot be broadcast to the output shape "
                                                 "[2,4]"),
            std::string::npos);
}

TEST(ShapeInference, GemmWithoutC) {
  GraphBuilder b;
  b.input("a", {2, 3});
  b.input("b", {3, 5});
  b.node(OpKind::Gemm, {"a", "b"}, "y");
  infer_shapes(b.graph());
  EXPECT_EQ(shape_of(b.graph(), "y"), Shape({2, 5}));
}

TEST(ShapeInference, AddBroadcasting) {
  EXPECT_EQ(broadcast_shapes({2, 3, 4}, {4}), Shape({2, 3, 4}));
  EXPECT_EQ(broadcast_shapes({2, 1, 4}, {3, 1}), Shape({2, 3, 4}));
  EXPECT_EQ(broadcast_shapes({}, {5}), Shape({5}));
  EXPECT_FALSE(broadcast_shapes({2, 3}, {4, 3}));
  GraphBuilder b;
  b.input("a", {1, 8, 4, 4});
  b.input("c", {8, 1, 1});
  b.node(OpKind::Add, {"a", "c"}, "y", {}, "add");
  b.input("d", {2, 3});
  b.node(OpKind::Add, {"y", "d"}, "z", {}, "add2");
  std::string err = infer_error(b.graph());
  EXPECT_EQ(shape_of(b.graph(), "y"), Shape({1, 8, 4, 4}));
  EXPECT_NE(err.find("node 'add2' (Add): shapes [1,8,4,4] and [2,3] cannot be broadcast"),
            std::string::npos)
      << err;
}

TEST(ShapeInference, FlattenAxes) {
  auto flat = [](int64_t axis) {
    GraphBuilder b;
    b.input("x", {2, 3, 4, 5});
    b.node(OpKind::Flatten, {"x"}, "y", {{"axis", axis}});
    std::string err = infer_error(b.graph());
    return err.empty() ? shape_str(shape_of(b.graph(), "y")) : err;
  };
  EXPECT_EQ(flat(1), "[2,60]");
  EXPECT_EQ(flat(0), "[1,120]");
  EXPECT_EQ(flat(4), "[120,1]");
  EXPECT_EQ(flat(-1), "[24,5]");
  EXPECT_EQ(flat(-4), "[1,120]");
  EXPECT_NE(flat(5).find("axis 5 is out of range [-4, 4]"), std::string::npos);
}

std::string reshape(const Shape &in, const std::vector<int64_t> &target, int64_t allowzero = 0) {
  GraphBuilder b;
  b.input("x", in);
  b.constant("s", tensor_i64({static_cast<int64_t>(target.size())}, target));
  b.node(OpKind::Reshape, {"x", "s"}, "y", {{"allowzero", allowzero}}, "rs");
  std::string err = infer_error(b.graph());
  return err.empty() ? shape_str(shape_of(b.graph(), "y")) : err;
}

TEST(ShapeInference, ReshapeZeroAndMinusOne) {
  EXPECT_EQ(reshape({2, 3, 4}, {0, -1}), "[2,12]");
  EXPECT_EQ(reshape({2, 3, 4}, {-1}), "[24]");
  EXPECT_EQ(reshape({2, 3, 4}, {4, 0, 2}), "[4,3,2]");
  EXPECT_EQ(reshape({1, 512, 1, 1}, {1, -1}), "[1,512]");
  EXPECT_EQ(reshape({0, 3}, {0, 3}, 1), "[0,3]");
}

TEST(ShapeInference, ReshapeErrors) {
  EXPECT_NE(reshape({2, 3, 4}, {5, -1}).find("node 'rs' (Reshape): cannot reshape [2,3,4] to "
                                             "[5,-1]: the element count 24 is not divisible by 5"),
            std::string::npos);
  EXPECT_NE(reshape({2, 3}, {-1, -1}).find("more than one -1"), std::string::npos);
  EXPECT_NE(reshape({2, 3}, {7}).find("element counts differ"), std::string::npos);
  EXPECT_NE(reshape({2, 3}, {0, 0, 0}).find("0 at position 2"), std::string::npos);
}

TEST(ShapeInference, ReshapeShapeMustBeConstant) {
  GraphBuilder b;
  b.input("x", {2, 3});
  b.input("s", {2}, DType::I64);
  b.node(OpKind::Reshape, {"x", "s"}, "y", {}, "rs");
  std::string err = infer_error(b.graph());
  EXPECT_NE(err.find("): not supported: shape input 's' must be a constant"),
            std::string::npos)
      << err;
}

TEST(ShapeInference, BatchNormalization) {
  GraphBuilder b;
  b.input("x", {1, 4, 3, 3});
  for (const char *n : {"scale", "bias", "mean", "var"}) b.constant(n, random_tensor({4}, 3));
  b.node(OpKind::BatchNormalization, {"x", "scale", "bias", "mean", "var"}, "y");
  infer_shapes(b.graph());
  EXPECT_EQ(shape_of(b.graph(), "y"), Shape({1, 4, 3, 3}));

  GraphBuilder bad;
  bad.input("x", {1, 4, 3, 3});
  for (const char *n : {"scale", "bias", "mean"}) bad.constant(n, random_tensor({4}, 3));
  bad.constant("var", random_tensor({5}, 3));
  bad.node(OpKind::BatchNormalization, {"x", "scale", "bias", "mean", "var"}, "y", {}, "bn");
  EXPECT_NE(infer_error(bad.graph()).find("node 'bn' (BatchNormalization): var 'var' has shape "
                                          "[5], expected [4]"),
            std::string::npos);
}

TEST(ShapeInference, BatchNormTrainingOutputsRejected) {
  GraphBuilder b;
  b.input("x", {1, 4, 3, 3});
  for (const char *n : {"scale", "bias", "mean", "var"}) b.constant(n, random_tensor({4}, 3));
  b.node(OpKind::BatchNormalization, {"x", "scale", "bias", "mean", "var"}, "y", {}, "bn");
  graph::Value extra;
  extra.name = "running_mean";
  extra.producer = 0;
  b.graph().nodes[0].outputs.push_back(b.graph().add_value(extra));
  EXPECT_NE(infer_error(b.graph()).find("): not supported: training-mode outputs"),
            std::string::npos);
}

TEST(ShapeInference, ReluIdentityGlobalAveragePoolConstant) {
  GraphBuilder b;
  b.input("x", {2, 3, 5, 7});
  b.node(OpKind::Relu, {"x"}, "r");
  b.node(OpKind::Identity, {"r"}, "i");
  b.node(OpKind::GlobalAveragePool, {"i"}, "gap");
  b.node(OpKind::Constant, {}, "c1", {{"value", test::tensor_f32({2, 2}, {1, 2, 3, 4})}});
  b.node(OpKind::Constant, {}, "c2", {{"value_ints", ints({1, 2, 3})}});
  b.node(OpKind::Constant, {}, "c3", {{"value_float", 2.5f}});
  infer_shapes(b.graph());
  const Graph &g = b.graph();
  EXPECT_EQ(shape_of(g, "r"), Shape({2, 3, 5, 7}));
  EXPECT_EQ(shape_of(g, "i"), Shape({2, 3, 5, 7}));
  EXPECT_EQ(shape_of(g, "gap"), Shape({2, 3, 1, 1}));
  EXPECT_EQ(shape_of(g, "c1"), Shape({2, 2}));
  EXPECT_EQ(shape_of(g, "c2"), Shape({3}));
  EXPECT_EQ(g.values[g.find_value("c2")].dtype, DType::I64);
  EXPECT_EQ(shape_of(g, "c3"), Shape({}));
}

TEST(ShapeInference, UnknownInputShapeIsNamed) {
  GraphBuilder b;
  b.input("x", {1, 3});
  graph::Value v;
  v.name = "mystery";
  int id = b.graph().add_value(v);
  b.node(OpKind::Relu, {"x"}, "y", {}, "relu1");
  b.graph().nodes[0].inputs[0] = id;
  std::string err = infer_error(b.graph());
  EXPECT_NE(err.find("node 'relu1' (Relu): input 'mystery' has an unknown shape or dtype"),
            std::string::npos)
      << err;
}

TEST(ShapeInference, DtypeAndArityErrors) {
  GraphBuilder b;
  b.input("x", {1, 3}, DType::I64);
  b.node(OpKind::Relu, {"x"}, "y", {}, "relu1");
  const std::string relu_err = infer_error(b.graph());
  EXPECT_NE(relu_err.find("node 'relu1' (Relu, opset "), std::string::npos) << relu_err;
  EXPECT_NE(relu_err.find("): not supported: input 'x' has type i64 (float32 only)"),
            std::string::npos)
      << relu_err;
  GraphBuilder c;
  c.input("x", {1, 3});
  c.node(OpKind::Add, {"x"}, "y", {}, "add1");
  EXPECT_NE(infer_error(c.graph()).find("node 'add1' (Add): expects 2 inputs, got 1"),
            std::string::npos);
}

}  // namespace
}  // namespace swtc::graph
