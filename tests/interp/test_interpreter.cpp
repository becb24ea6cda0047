#include "interp/interpreter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "graph/passes/canonicalize.h"
#include "graph/shape_inference.h"
#include "graph_builder.h"

namespace swtc::interp {
namespace {

using graph::AttrValue;
using graph::Graph;
using graph::OpKind;
using graph::Shape;
using graph::TensorData;
using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using test::tensor_f32;

void expect_near(const std::vector<float> &got, const std::vector<double> &want,
                 double tol = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tol * std::max(1.0, std::abs(want[i]))) << "at " << i;
}

/// Runs the graph raw and canonicalized; both must agree. Returns the first output.
TensorData run_both(Graph g, const std::vector<TensorData> &inputs) {
  graph::infer_shapes(g);
  std::vector<TensorData> raw = run(g, inputs);
  std::vector<TensorData> canon = run(graph::canonicalize(g), inputs);
  EXPECT_EQ(raw.size(), canon.size());
  for (size_t k = 0; k < raw.size() && k < canon.size(); ++k) {
    EXPECT_EQ(raw[k].shape, canon[k].shape);
    EXPECT_EQ(raw[k].f32, canon[k].f32);
  }
  return raw.at(0);
}

struct ConvParams {
  Shape x, w;
  std::vector<int64_t> strides, pads, dilations;
  int64_t group;
};

/// Naive 2-D convolution straight from the definition.
std::vector<double> naive_conv(const TensorData &x, const TensorData &w, const TensorData &b,
                               const ConvParams &p, Shape &out_shape) {
  int64_t N = p.x[0], C = p.x[1], H = p.x[2], W = p.x[3];
  int64_t M = p.w[0], Cg = p.w[1], KH = p.w[2], KW = p.w[3];
  int64_t OH = (H + p.pads[0] + p.pads[2] - p.dilations[0] * (KH - 1) - 1) / p.strides[0] + 1;
  int64_t OW = (W + p.pads[1] + p.pads[3] - p.dilations[1] * (KW - 1) - 1) / p.strides[1] + 1;
  out_shape = {N, M, OH, OW};
  std::vector<double> y(static_cast<size_t>(N * M * OH * OW));
  int64_t Mg = M / p.group;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = b.f32[m];
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                int64_t ih = oh * p.strides[0] - p.pads[0] + kh * p.dilations[0];
                int64_t iw = ow * p.strides[1] - p.pads[1] + kw * p.dilations[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                int64_t ic = (m / Mg) * Cg + c;
                acc += static_cast<double>(x.f32[((n * C + ic) * H + ih) * W + iw]) *
                       w.f32[((m * Cg + c) * KH + kh) * KW + kw];
              }
          y[((n * M + m) * OH + oh) * OW + ow] = acc;
        }
  return y;
}

TEST(Interpreter, ConvPadsStridesDilationsGroups) {
  std::vector<ConvParams> cases = {
      {{1, 3, 7, 7}, {4, 3, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1},
      {{2, 4, 9, 8}, {6, 2, 3, 3}, {2, 1}, {1, 0, 2, 1}, {2, 1}, 2},
      {{1, 6, 6, 6}, {6, 1, 3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 6},  // depthwise
      {{1, 2, 10, 11}, {3, 2, 1, 1}, {3, 2}, {0, 0, 0, 0}, {1, 1}, 1},
      {{1, 3, 12, 12}, {2, 3, 7, 7}, {2, 2}, {3, 3, 3, 3}, {1, 2}, 1},
  };
  unsigned seed = 10;
  for (const ConvParams &p : cases) {
    TensorData x = random_tensor(p.x, seed++), w = random_tensor(p.w, seed++),
               b = random_tensor({p.w[0]}, seed++);
    GraphBuilder gb;
    gb.input("x", p.x);
    gb.constant("w", w);
    gb.constant("b", b);
    gb.node(OpKind::Conv, {"x", "w", "b"}, "y",
            {{"strides", p.strides}, {"pads", p.pads}, {"dilations", p.dilations},
             {"group", p.group}});
    gb.output("y");
    Shape want_shape;
    std::vector<double> want = naive_conv(x, w, b, p, want_shape);
    TensorData y = run_both(gb.graph(), {x});
    EXPECT_EQ(y.shape, want_shape);
    expect_near(y.f32, want);
  }
}

TEST(Interpreter, ConvAutoPadSameUpperMatchesExplicitPads) {
  TensorData x = random_tensor({1, 2, 7, 8}, 1), w = random_tensor({3, 2, 3, 3}, 2);
  auto conv = [&](std::map<std::string, AttrValue> attrs, bool with_bias) {
    GraphBuilder gb;
    gb.input("x", x.shape);
    gb.constant("w", w);
    gb.node(OpKind::Conv, {"x", "w"}, "y", std::move(attrs));
    gb.output("y");
    (void)with_bias;
    return run_both(gb.graph(), {x});
  };
  TensorData a = conv({{"auto_pad", std::string("SAME_UPPER")}, {"strides", ints({2, 2})}}, false);
  // H: out 4, total 2 -> 1/1; W: out 4, total 1 -> 0/1.
  TensorData b = conv({{"pads", ints({1, 0, 1, 1})}, {"strides", ints({2, 2})}}, false);
  EXPECT_EQ(a.shape, Shape({1, 3, 4, 4}));
  EXPECT_EQ(a.f32, b.f32);
}

TEST(Interpreter, MaxPoolCeilModeHandComputed) {
  // x = 1..16 in a 4x4 plane; kernel 3, stride 2, ceil_mode: windows rows/cols {0..2}, {2..3}.
  std::vector<float> xs(16);
  for (int i = 0; i < 16; ++i) xs[i] = static_cast<float>(i + 1) * (i % 3 == 0 ? -1.0f : 1.0f);
  GraphBuilder gb;
  gb.input("x", {1, 1, 4, 4});
  gb.node(OpKind::MaxPool, {"x"}, "y",
          {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})}, {"ceil_mode", int64_t{1}}});
  gb.output("y");
  TensorData y = run_both(gb.graph(), {tensor_f32({1, 1, 4, 4}, xs)});
  EXPECT_EQ(y.shape, Shape({1, 1, 2, 2}));
  // x (signs): row0 -1 2 3 -4 | row1 5 6 -7 8 | row2 9 -10 11 12 | row3 -13 14 15 -16
  EXPECT_EQ(y.f32, (std::vector<float>{11, 12, 15, 15}));
}

TEST(Interpreter, MaxPoolPaddingAndDilation) {
  TensorData x = random_tensor({1, 2, 6, 6}, 5);
  GraphBuilder gb;
  gb.input("x", x.shape);
  gb.node(OpKind::MaxPool, {"x"}, "y",
          {{"kernel_shape", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})},
           {"dilations", ints({2, 2})}, {"strides", ints({2, 2})}});
  gb.output("y");
  TensorData y = run_both(gb.graph(), {x});
  // out = (6+2-3)/2+1 = 3; window at (oh,ow) reads rows 2*oh-1 + {0,2}.
  ASSERT_EQ(y.shape, Shape({1, 2, 3, 3}));
  std::vector<double> want;
  for (int c = 0; c < 2; ++c)
    for (int oh = 0; oh < 3; ++oh)
      for (int ow = 0; ow < 3; ++ow) {
        double m = -1e30;
        for (int kh = 0; kh < 2; ++kh)
          for (int kw = 0; kw < 2; ++kw) {
            int ih = 2 * oh - 1 + 2 * kh, iw = 2 * ow - 1 + 2 * kw;
            if (ih >= 0 && ih < 6 && iw >= 0 && iw < 6) m = std::max<double>(m, x.f32[(c * 6 + ih) * 6 + iw]);
          }
        want.push_back(m);
      }
  expect_near(y.f32, want);
}

TEST(Interpreter, AveragePoolCountIncludePad) {
  auto avg = [](int64_t include) {
    GraphBuilder gb;
    gb.input("x", {1, 1, 2, 2});
    gb.node(OpKind::AveragePool, {"x"}, "y",
            {{"kernel_shape", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})},
             {"count_include_pad", include}});
    gb.output("y");
    return run_both(gb.graph(), {tensor_f32({1, 1, 2, 2}, {1, 2, 3, 4})});
  };
  TensorData ex = avg(0), in = avg(1);
  EXPECT_EQ(ex.shape, Shape({1, 1, 3, 3}));
  expect_near(ex.f32, {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
  expect_near(in.f32, {0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1});
}

TEST(Interpreter, AveragePoolCeilModeDoesNotCountBeyondPadding) {
  // in 5, k 2, s 2, no pads, ceil_mode: out 3; the last window covers only column 4.
  GraphBuilder gb;
  gb.input("x", {1, 1, 1, 5});
  gb.node(OpKind::AveragePool, {"x"}, "y",
          {{"kernel_shape", ints({1, 2})}, {"strides", ints({1, 2})}, {"ceil_mode", int64_t{1}},
           {"count_include_pad", int64_t{1}}});
  gb.output("y");
  TensorData y = run_both(gb.graph(), {tensor_f32({1, 1, 1, 5}, {1, 2, 3, 4, 5})});
  EXPECT_EQ(y.shape, Shape({1, 1, 1, 3}));
  expect_near(y.f32, {1.5, 3.5, 5});
}

TEST(Interpreter, GemmTransposesAlphaBetaBroadcastC) {
  TensorData a = random_tensor({3, 2}, 1);  // transA: M=2, K=3
  TensorData b = random_tensor({4, 3}, 2);  // transB: N=4
  for (Shape cshape : {Shape{4}, Shape{2, 1}, Shape{2, 4}, Shape{}}) {
    TensorData c = random_tensor(cshape, 3);
    GraphBuilder gb;
    gb.input("a", a.shape);
    gb.constant("b", b);
    gb.constant("c", c);
    gb.node(OpKind::Gemm, {"a", "b", "c"}, "y",
            {{"transA", int64_t{1}}, {"transB", int64_t{1}}, {"alpha", 0.5f}, {"beta", 2.0f}});
    gb.output("y");
    TensorData y = run_both(gb.graph(), {a});
    ASSERT_EQ(y.shape, Shape({2, 4}));
    std::vector<double> want;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 4; ++j) {
        double s = 0;
        for (int k = 0; k < 3; ++k) s += static_cast<double>(a.f32[k * 2 + i]) * b.f32[j * 3 + k];
        size_t ci = cshape.size() == 2 ? (cshape[0] == 1 ? 0 : i) * cshape[1] +
                                             (cshape[1] == 1 ? 0 : j)
                                       : (cshape.empty() ? 0 : j);
        want.push_back(0.5 * s + 2.0 * c.f32[ci]);
      }
    expect_near(y.f32, want);
  }
}

TEST(Interpreter, GemmNoC) {
  GraphBuilder gb;
  gb.input("a", {2, 2});
  gb.constant("b", tensor_f32({2, 2}, {1, 2, 3, 4}));
  gb.node(OpKind::Gemm, {"a", "b"}, "y");
  gb.output("y");
  TensorData y = run_both(gb.graph(), {tensor_f32({2, 2}, {1, 1, 0, 2})});
  expect_near(y.f32, {4, 6, 6, 8});
}

TEST(Interpreter, BatchNormalization) {
  TensorData x = random_tensor({2, 3, 2, 2}, 1);
  TensorData scale = random_tensor({3}, 2, 0.75f, 1.25f), bias = random_tensor({3}, 3),
             mean = random_tensor({3}, 4, -0.1f, 0.1f), var = random_tensor({3}, 5, 0.75f, 1.25f);
  GraphBuilder gb;
  gb.input("x", x.shape);
  gb.constant("s", scale);
  gb.constant("b", bias);
  gb.constant("m", mean);
  gb.constant("v", var);
  gb.node(OpKind::BatchNormalization, {"x", "s", "b", "m", "v"}, "y", {{"epsilon", 1e-3f}});
  gb.output("y");
  TensorData y = run_both(gb.graph(), {x});
  std::vector<double> want;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 4; ++i) {
        double xv = x.f32[(n * 3 + c) * 4 + i];
        want.push_back((xv - mean.f32[c]) / std::sqrt(var.f32[c] + double{1e-3f}) * scale.f32[c] +
                       bias.f32[c]);
      }
  expect_near(y.f32, want);
}

TEST(Interpreter, AddBroadcastingAndRelu) {
  TensorData a = random_tensor({2, 3, 4}, 1), b = random_tensor({3, 1}, 2);
  GraphBuilder gb;
  gb.input("a", a.shape);
  gb.input("b", b.shape);
  gb.node(OpKind::Add, {"b", "a"}, "s");
  gb.node(OpKind::Relu, {"s"}, "y");
  gb.output("y");
  TensorData y = run_both(gb.graph(), {a, b});
  ASSERT_EQ(y.shape, Shape({2, 3, 4}));
  std::vector<double> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        want.push_back(std::max(0.0, double{a.f32[(i * 3 + j) * 4 + k]} + b.f32[j]));
  expect_near(y.f32, want);
  EXPECT_TRUE(std::any_of(y.f32.begin(), y.f32.end(), [](float v) { return v == 0; }));
}

TEST(Interpreter, GlobalAveragePoolFlattenReshape) {
  TensorData x = random_tensor({1, 4, 3, 5}, 7);
  GraphBuilder gb;
  gb.input("x", x.shape);
  gb.node(OpKind::GlobalAveragePool, {"x"}, "g");
  gb.node(OpKind::Flatten, {"g"}, "f", {{"axis", int64_t{-3}}});
  gb.constant("shape", test::tensor_i64({2}, {0, -1}));
  gb.node(OpKind::Reshape, {"f", "shape"}, "y");
  gb.output("y");
  TensorData y = run_both(gb.graph(), {x});
  ASSERT_EQ(y.shape, Shape({1, 4}));
  std::vector<double> want;
  for (int c = 0; c < 4; ++c) {
    double s = 0;
    for (int i = 0; i < 15; ++i) s += x.f32[c * 15 + i];
    want.push_back(s / 15);
  }
  expect_near(y.f32, want);
}

TEST(Interpreter, ConstantAndIdentityNodes) {
  GraphBuilder gb;
  gb.input("x", {3});
  gb.node(OpKind::Constant, {}, "k", {{"value_floats", std::vector<float>{1, 2, 3}}});
  gb.node(OpKind::Identity, {"k"}, "ki");
  gb.node(OpKind::Add, {"x", "ki"}, "s");
  gb.node(OpKind::Identity, {"s"}, "y");
  gb.output("y");
  TensorData y = run_both(gb.graph(), {tensor_f32({3}, {10, 20, 30})});
  EXPECT_EQ(y.f32, (std::vector<float>{11, 22, 33}));
}

TEST(Interpreter, InputMismatchIsUserErrorNamingTheInput) {
  GraphBuilder gb;
  gb.input("image", {1, 3});
  gb.node(OpKind::Relu, {"image"}, "y");
  gb.output("y");
  graph::infer_shapes(gb.graph());
  try {
    run(gb.graph(), {tensor_f32({1, 4}, {1, 2, 3, 4})});
    FAIL();
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find("input 'image' must be f32[1,3], got f32[1,4]"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(run(gb.graph(), {}), UserError);
}

TEST(Interpreter, WorksWithoutPriorShapeInference) {
  GraphBuilder gb;
  gb.input("x", {2});
  gb.node(OpKind::Relu, {"x"}, "y");
  gb.output("y");
  std::vector<TensorData> out = run(gb.graph(), {tensor_f32({2}, {-1, 2})});
  EXPECT_EQ(out[0].f32, (std::vector<float>{0, 2}));
}

}  // namespace
}  // namespace swtc::interp
