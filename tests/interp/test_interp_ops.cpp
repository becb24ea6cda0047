// Interpreter numerics of the transformer / MobileNet ops against references
// written straight from the ONNX definitions, on seeded random inputs. Every
// graph also runs canonicalized (static inputs turned into attributes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "graph/passes/canonicalize.h"
#include "graph/shape_inference.h"
#include "graph_builder.h"
#include "interp/interpreter.h"

namespace swtc::interp {
namespace {

using graph::DType;
using graph::Graph;
using graph::OpKind;
using graph::Shape;
using graph::TensorData;
using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using test::tensor_f32;
using test::tensor_i64;

void expect_near(const TensorData &got, const std::vector<double> &want, double tol = 1e-5) {
  ASSERT_EQ(got.f32.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got.f32[i], want[i], tol * std::max(1.0, std::abs(want[i]))) << "at " << i;
}

/// Runs raw and canonicalized; both must agree exactly. Returns output 0.
TensorData run_both(Graph g, const std::vector<TensorData> &inputs) {
  graph::infer_shapes(g);
  std::vector<TensorData> raw = run(g, inputs);
  std::vector<TensorData> canon = run(graph::canonicalize(g), inputs);
  EXPECT_EQ(raw.size(), canon.size());
  for (size_t k = 0; k < raw.size() && k < canon.size(); ++k) {
    EXPECT_EQ(raw[k].shape, canon[k].shape);
    EXPECT_EQ(raw[k].f32, canon[k].f32);
    EXPECT_EQ(raw[k].i64, canon[k].i64);
  }
  return raw.at(0);
}

TEST(InterpOps, UnaryOps) {
  struct Case {
    OpKind op;
    double (*f)(double);
  };
  const Case cases[] = {
      {OpKind::Sqrt, [](double x) { return std::sqrt(x); }},
      {OpKind::Erf, [](double x) { return std::erf(x); }},
      {OpKind::Exp, [](double x) { return std::exp(x); }},
      {OpKind::Tanh, [](double x) { return std::tanh(x); }},
      {OpKind::Sigmoid, [](double x) { return 1 / (1 + std::exp(-x)); }},
      {OpKind::Neg, [](double x) { return -x; }},
      {OpKind::Ceil, [](double x) { return std::ceil(x); }},
      {OpKind::Floor, [](double x) { return std::floor(x); }},
  };
  for (const Case &c : cases) {
    GraphBuilder b;
    b.input("x", {2, 3, 4});
    b.node(c.op, {"x"}, "y");
    b.output("y");
    TensorData x = random_tensor({2, 3, 4}, 7, c.op == OpKind::Sqrt ? 0.1f : -2.0f, 2.0f);
    std::vector<double> want;
    for (float v : x.f32) want.push_back(c.f(v));
    expect_near(run_both(b.graph(), {x}), want);
  }
}

// Ops of graph/unary_ops.def on hand-picked values (written out here, not
// taken from the table's expressions).
TEST(InterpOps, UnaryTableOpsOnKnownValues) {
  using Attrs = std::map<std::string, graph::AttrValue>;
  struct Case {
    OpKind op;
    Attrs attrs;
    std::vector<float> x;
    std::vector<double> want;
  };
  const std::vector<Case> cases = {
      {OpKind::Abs, {}, {-2.5f, 0, 3}, {2.5, 0, 3}},
      {OpKind::Sign, {}, {-2.5f, 0, 3}, {-1, 0, 1}},
      {OpKind::Round, {}, {0.5f, 1.5f, 2.5f, -0.5f, -1.7f}, {0, 2, 2, -0.0, -2}},
      {OpKind::Reciprocal, {}, {4, -0.5f}, {0.25, -2}},
      {OpKind::LeakyRelu, {}, {-2, 3}, {-0.02, 3}},
      {OpKind::LeakyRelu, {{"alpha", 0.5f}}, {-2, 3}, {-1, 3}},
      {OpKind::ThresholdedRelu, {}, {0.5f, 1, 2}, {0, 0, 2}},
      {OpKind::Elu, {{"alpha", 2.0f}}, {-1, 1}, {2 * (std::exp(-1.0) - 1), 1}},
      {OpKind::Selu, {}, {-1, 2}, {1.0507009873554805 * 1.6732632423543772 * (std::exp(-1.0) - 1),
                                   2 * 1.0507009873554805}},
      {OpKind::Celu, {{"alpha", 2.0f}}, {-2, 3}, {2 * (std::exp(-1.0) - 1), 3}},
      {OpKind::HardSigmoid, {}, {-3, 0, 1, 3}, {0, 0.5, 0.7, 1}},
      {OpKind::HardSwish, {}, {-4, 1, 4}, {0, 1 * (1.0 / 6 + 0.5), 4}},
      {OpKind::Softplus, {}, {0, 100, -100}, {std::log(2.0), 100, std::exp(-100.0)}},
      {OpKind::Softsign, {}, {-3, 1}, {-0.75, 0.5}},
      {OpKind::Shrink, {{"lambd", 1.0f}, {"bias", 0.5f}}, {-2, 0.5f, 3}, {-1.5, 0, 2.5}},
      {OpKind::Log, {}, {1, 0.5f}, {0, std::log(0.5)}},
      {OpKind::Acosh, {}, {1, 2}, {0, std::acosh(2.0)}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(graph::op_name(c.op));
    GraphBuilder b;
    const Shape s{static_cast<int64_t>(c.x.size())};
    b.input("x", s);
    b.node(c.op, {"x"}, "y", c.attrs);
    b.output("y");
    expect_near(run_both(b.graph(), {tensor_f32(s, c.x)}), c.want);
  }
}

TEST(InterpOps, VariadicMaxMinSumMeanPReluLogSoftmax) {
  GraphBuilder b;
  b.input("a", {2, 1});
  b.input("b", {3});
  b.input("c", {1, 3});
  for (OpKind op : {OpKind::Max, OpKind::Min, OpKind::Sum, OpKind::Mean}) {
    const std::string y = std::string("y_") + graph::op_name(op);
    b.node(op, {"a", "b", "c"}, y);
    b.output(y);
  }
  b.node(OpKind::Mean, {"b"}, "one");
  b.output("one");
  b.node(OpKind::PRelu, {"c", "b"}, "p");
  b.output("p");
  b.node(OpKind::LogSoftmax, {"c"}, "ls");
  b.output("ls");
  Graph g = b.graph();
  graph::infer_shapes(g);
  const std::vector<float> a = {-1, 2}, bv = {0.5f, -3, 4}, c = {1, 1.5f, -2};
  auto out = run(g, {tensor_f32({2, 1}, a), tensor_f32({3}, bv), tensor_f32({1, 3}, c)});
  ASSERT_EQ(out.size(), 7u);
  std::vector<double> mx, mn, sm, me, pr;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      const double x = a[i], y = bv[j], z = c[j];
      mx.push_back(std::max({x, y, z}));
      mn.push_back(std::min({x, y, z}));
      sm.push_back(x + y + z);
      me.push_back((x + y + z) / 3);
    }
  EXPECT_EQ(out[0].shape, (Shape{2, 3}));
  expect_near(out[0], mx);
  expect_near(out[1], mn);
  expect_near(out[2], sm);
  expect_near(out[3], me);
  expect_near(out[4], {0.5, -3, 4});
  for (int j = 0; j < 3; ++j) pr.push_back(c[j] < 0 ? c[j] * bv[j] : c[j]);
  expect_near(out[5], pr);
  double lse = std::log(std::exp(1.0) + std::exp(1.5) + std::exp(-2.0));
  expect_near(out[6], {1 - lse, 1.5 - lse, -2 - lse});
}

TEST(InterpOps, BinaryBroadcast) {
  struct Case {
    OpKind op;
    double (*f)(double, double);
  };
  const Case cases[] = {
      {OpKind::Sub, [](double a, double b) { return a - b; }},
      {OpKind::Mul, [](double a, double b) { return a * b; }},
      {OpKind::Div, [](double a, double b) { return a / b; }},
      {OpKind::Pow, [](double a, double b) { return std::pow(a, b); }},
  };
  for (const Case &c : cases) {
    GraphBuilder b;
    b.input("a", {2, 1, 4});
    b.input("b", {3, 1});
    b.node(c.op, {"a", "b"}, "y");
    b.output("y");
    TensorData a = random_tensor({2, 1, 4}, 1, 0.5f, 2.0f), bb = random_tensor({3, 1}, 2);
    std::vector<double> want;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k) want.push_back(c.f(a.f32[i * 4 + k], bb.f32[j]));
    TensorData y = run_both(b.graph(), {a, bb});
    EXPECT_EQ(y.shape, (Shape{2, 3, 4}));
    expect_near(y, want);
  }
}

TEST(InterpOps, IntegerArithmeticTruncates) {
  GraphBuilder b;
  b.input("a", {4}, DType::I64);
  b.constant("b", tensor_i64({1}, {3}));
  b.node(OpKind::Div, {"a", "b"}, "q");
  b.node(OpKind::Mul, {"q", "b"}, "m");
  b.node(OpKind::Sub, {"a", "m"}, "y");
  b.output("q");
  b.output("y");
  graph::infer_shapes(b.graph());
  auto out = run(b.graph(), {tensor_i64({4}, {7, -7, 9, 2})});
  EXPECT_EQ(out[0].i64, ints({2, -2, 3, 0}));
  EXPECT_EQ(out[1].i64, ints({1, -1, 0, 2}));
}

// INT_MIN / -1 is INT_MIN (the quotient wrapped), what the generated code's
// swtc_idiv and NumPy give; C's `/` traps there and ONNX Runtime dies of
// SIGFPE. Other quotients by -1 are the negation.
TEST(InterpOps, IntegerDivisionOfIntMinByMinusOneWraps) {
  for (DType t : {DType::I32, DType::I64}) {
    const int64_t lo = graph::int_min(t), m = int64_t(1) << 30;
    GraphBuilder b;
    b.input("a", {5}, t);
    b.input("b", {5}, t);
    b.node(OpKind::Div, {"a", "b"}, "q");
    b.output("q");
    graph::infer_shapes(b.graph());
    TensorData a = tensor_i64({5}, {lo, lo, 7, -m, m});
    TensorData d = tensor_i64({5}, {-1, 1, -1, -1, -1});
    a.dtype = d.dtype = t;
    auto out = run(b.graph(), {a, d});
    EXPECT_EQ(out[0].i64, ints({lo, lo, -7, m, -m})) << graph::dtype_name(t);
  }
}

// Signed integer Add, Sub and Mul wrap to the type (ONNX Runtime and
// NumPy; the generated code's swtc_iadd, ...), computed exactly: an int32
// product can reach 2^62, which a double would round before the wrap.
TEST(InterpOps, SignedIntegerArithmeticWraps) {
  const int64_t lo = INT32_MIN, hi = INT32_MAX;
  GraphBuilder b;
  b.input("a", {5}, DType::I32);
  b.input("b", {5}, DType::I32);
  b.node(OpKind::Add, {"a", "b"}, "s");
  b.node(OpKind::Sub, {"a", "b"}, "d");
  b.node(OpKind::Mul, {"a", "b"}, "p");
  b.node(OpKind::Add, {"s", "a"}, "t");  // (Sum is float32 only, in ONNX and swtc)
  for (const char *o : {"s", "d", "p", "t"}) b.output(o);
  graph::infer_shapes(b.graph());
  TensorData a = tensor_i64({5}, {hi, lo, hi, 46341, -7});
  TensorData d = tensor_i64({5}, {1, 1, hi, 46341, 3});
  a.dtype = d.dtype = DType::I32;
  auto out = run(b.graph(), {a, d});
  EXPECT_EQ(out[0].i64, ints({lo, lo + 1, -2, 92682, -4}));
  EXPECT_EQ(out[1].i64, ints({hi - 1, hi, 0, 0, -10}));
  // 46341^2 = 2147488281 = 2^31 + 4633 wraps to -2^31 + 4633.
  EXPECT_EQ(out[2].i64, ints({hi, lo, 1, lo + 4633, -21}));
  EXPECT_EQ(out[3].i64, ints({-1, 1, hi - 2, 139023, -11}));
}

TEST(InterpOps, Int64ArithmeticWraps) {
  const int64_t lo = INT64_MIN, hi = INT64_MAX, p61 = int64_t(1) << 61, p62 = 2 * p61;
  GraphBuilder b;
  b.input("a", {6}, DType::I64);
  b.input("b", {6}, DType::I64);
  b.node(OpKind::Add, {"a", "b"}, "s");
  b.node(OpKind::Mul, {"a", "b"}, "p");
  b.node(OpKind::Sub, {"a", "b"}, "d");
  for (const char *o : {"s", "p", "d"}) b.output(o);
  graph::infer_shapes(b.graph());
  // (Values a double holds exactly; Int64ExactAbove2To53 has the others.)
  TensorData a = tensor_i64({6}, {hi, lo, p62, (int64_t(1) << 32) + 1, lo, 3 * p61});
  TensorData d = tensor_i64({6}, {hi, lo, p62, (int64_t(1) << 32) - 1, p62, p61});
  a.dtype = d.dtype = DType::I64;
  auto out = run(b.graph(), {a, d});
  EXPECT_EQ(out[0].i64, ints({-2, 0, lo, int64_t(1) << 33, -p62, lo}));
  EXPECT_EQ(out[1].i64, ints({1, 0, 0, -1, 0, 0}));
  EXPECT_EQ(out[2].i64, ints({0, 0, 0, 2, p62, p62}));
}

// int64 values above 2^53, where a double no longer holds every integer:
// the arithmetic, comparisons, reductions, casts and data movement are exact
// (expectations computed with Python's integers, wrapped to 64 bits).
TEST(InterpOps, Int64ExactAbove2To53) {
  const int64_t p53 = int64_t(1) << 53, p62 = int64_t(1) << 62, hi = INT64_MAX, lo = INT64_MIN;
  const int64_t v = (int64_t(1) << 60) + (int64_t(1) << 36) + 1;
  GraphBuilder b;
  b.input("a", {6}, DType::I64);
  b.input("b", {6}, DType::I64);
  b.node(OpKind::Add, {"a", "b"}, "add");
  b.node(OpKind::Sub, {"a", "b"}, "sub");
  b.node(OpKind::Mul, {"a", "b"}, "mul");
  b.node(OpKind::Div, {"a", "b"}, "div");
  b.node(OpKind::Mod, {"a", "b"}, "mod");
  b.node(OpKind::Greater, {"a", "b"}, "gt");
  b.node(OpKind::Max, {"a", "b"}, "max");
  b.node(OpKind::Min, {"a", "b"}, "min");
  b.node(OpKind::Neg, {"a"}, "neg");
  b.node(OpKind::Cast, {"a"}, "i32", {{"to", int64_t{6}}});
  b.node(OpKind::Cast, {"a"}, "f32", {{"to", int64_t{1}}});
  // Data movement: concat, reshape, transpose, gather; then reductions.
  b.node(OpKind::Concat, {"a", "b"}, "ab", {{"axis", int64_t{0}}});
  b.constant("shape", tensor_i64({2}, {2, 6}));
  b.node(OpKind::Reshape, {"ab", "shape"}, "ab2");
  b.node(OpKind::Transpose, {"ab2"}, "abt");  // [6, 2]
  b.constant("idx", tensor_i64({2}, {5, 0}));
  b.node(OpKind::Gather, {"abt", "idx"}, "g");  // rows 5 and 0: [[a5, b5], [a0, b0]]
  b.node(OpKind::ReduceMax, {"ab2"}, "rmax", {{"axes", ints({1})}, {"keepdims", int64_t{0}}});
  b.node(OpKind::ReduceMin, {"ab2"}, "rmin", {{"axes", ints({1})}, {"keepdims", int64_t{0}}});
  b.node(OpKind::Equal, {"a", "a"}, "eq");
  for (const char *o : {"add", "sub", "mul", "div", "mod", "gt", "max", "min", "neg", "i32", "f32",
                        "g", "rmax", "rmin", "eq"})
    b.output(o);
  TensorData a = tensor_i64({6}, {p53 + 1, p62 + 3, hi, lo + 1, -(p53 + 1), v});
  TensorData d = tensor_i64({6}, {p53 + 3, (int64_t(1) << 31) + 1, 2, -7, p53 + 1, -(p53 + 1)});
  graph::infer_shapes(b.graph());
  const auto out = run(b.graph(), {a, d});
  EXPECT_EQ(out[0].i64, ints({18014398509481988, 4611686020574871556, -9223372036854775807,
                              9223372036854775802, 0, 1143914374071582720}));
  EXPECT_EQ(out[1].i64, ints({-2, 4611686016279904258, 9223372036854775805, -9223372036854775800,
                              -18014398509481986, 1161928772581064706}));
  EXPECT_EQ(out[2].i64, ints({36028797018963971, 4611686024869838851, -2, 9223372036854775801,
                              -18014398509481985, -1161928772581064705}));
  EXPECT_EQ(out[3].i64, ints({0, 2147483647, 4611686018427387903, 1317624576693539401, -1, -128}));
  EXPECT_EQ(out[4].i64, ints({9007199254740993, 4, 1, 0, 0, -9007130535264384}));
  EXPECT_EQ(out[5].i64, ints({0, 1, 1, 0, 0, 1}));
  EXPECT_EQ(out[6].i64, ints({9007199254740995, 4611686018427387907, hi, -7, 9007199254740993, v}));
  EXPECT_EQ(out[7].i64, ints({9007199254740993, 2147483649, 2, lo + 1, -9007199254740993,
                              -9007199254740993}));
  EXPECT_EQ(out[8].i64, ints({-9007199254740993, -4611686018427387907, lo + 1, hi,
                              9007199254740993, -v}));
  EXPECT_EQ(out[9].i64, ints({1, 3, -1, 1, -1, 1}));
  // Rounded once to float: 2^60 + 2^37 (through double it would be 2^60).
  ASSERT_EQ(out[10].f32.size(), 6u);
  EXPECT_EQ(out[10].f32[5], std::ldexp(1.0f, 60) + std::ldexp(1.0f, 37));
  EXPECT_EQ(out[11].i64, ints({v, -(p53 + 1), p53 + 1, p53 + 3}));
  EXPECT_EQ(out[12].i64, ints({hi, p53 + 3}));
  EXPECT_EQ(out[13].i64, ints({lo + 1, -(p53 + 1)}));
  EXPECT_EQ(out[14].i64, ints({1, 1, 1, 1, 1, 1}));
}

// uint64 above 2^63 keeps its bit pattern (int64 -2^63 + 1 is 2^63 + 1) and
// compares, divides and reduces as unsigned.
TEST(InterpOps, Uint64ComparesAndDividesUnsigned) {
  const int64_t big = INT64_MIN + 1, all = -1;  // 2^63 + 1, 2^64 - 1
  GraphBuilder b;
  b.input("a", {3}, DType::U64);
  b.input("b", {3}, DType::U64);
  b.node(OpKind::Greater, {"a", "b"}, "gt");
  b.node(OpKind::Div, {"a", "b"}, "q");
  b.node(OpKind::Mod, {"a", "b"}, "r");
  b.node(OpKind::ReduceMax, {"a"}, "m", {{"keepdims", int64_t{0}}});
  for (const char *o : {"gt", "q", "r", "m"}) b.output(o);
  TensorData a = tensor_i64({3}, {big, all, 7});
  TensorData d = tensor_i64({3}, {1, 2, all});
  a.dtype = d.dtype = DType::U64;
  graph::infer_shapes(b.graph());
  const auto out = run(b.graph(), {a, d});
  EXPECT_EQ(out[0].i64, ints({1, 1, 0}));
  EXPECT_EQ(out[1].i64, ints({big, INT64_MAX, 0}));  // (2^64 - 1) / 2 = 2^63 - 1
  EXPECT_EQ(out[2].i64, ints({0, 1, 7}));
  EXPECT_EQ(out[3].i64, ints({all}));
}

TEST(InterpOps, ClipAttributeAndInputForms) {
  TensorData x = random_tensor({2, 5}, 3, -3.0f, 3.0f);
  std::vector<double> want;
  for (float v : x.f32) want.push_back(std::min(std::max<double>(v, 0.0), 1.5));
  {  // opset 6..10: attributes
    GraphBuilder b("g", 10);
    b.input("x", {2, 5});
    b.node(OpKind::Clip, {"x"}, "y", {{"min", 0.0f}, {"max", 1.5f}});
    b.output("y");
    expect_near(run_both(b.graph(), {x}), want);
  }
  {  // opset 11+: inputs
    GraphBuilder b("g", 13);
    b.input("x", {2, 5});
    b.constant("lo", tensor_f32({}, {0.0f}));
    b.constant("hi", tensor_f32({}, {1.5f}));
    b.node(OpKind::Clip, {"x", "lo", "hi"}, "y");
    b.output("y");
    expect_near(run_both(b.graph(), {x}), want);
  }
  {  // max only (min omitted): clip from above
    GraphBuilder b("g", 13);
    b.input("x", {2, 5});
    b.constant("hi", tensor_f32({}, {1.5f}));
    b.node(OpKind::Clip, {"x", "", "hi"}, "y");
    b.output("y");
    std::vector<double> w2;
    for (float v : x.f32) w2.push_back(std::min<double>(v, 1.5));
    expect_near(run_both(b.graph(), {x}), w2);
  }
}

std::vector<double> ref_softmax(const std::vector<float> &x, int64_t outer, int64_t d,
                                int64_t inner) {
  std::vector<double> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      double s = 0;
      for (int64_t k = 0; k < d; ++k) s += std::exp(x[(o * d + k) * inner + j]);
      for (int64_t k = 0; k < d; ++k)
        y[(o * d + k) * inner + j] = std::exp(x[(o * d + k) * inner + j]) / s;
    }
  return y;
}

TEST(InterpOps, SoftmaxOpset13AxisAndOpset11Coercion) {
  TensorData x = random_tensor({2, 3, 4}, 5, -3.0f, 3.0f);
  {
    GraphBuilder b("g", 13);
    b.input("x", {2, 3, 4});
    b.node(OpKind::Softmax, {"x"}, "y");  // default axis -1
    b.output("y");
    expect_near(run_both(b.graph(), {x}), ref_softmax(x.f32, 6, 4, 1));
  }
  {
    GraphBuilder b("g", 13);
    b.input("x", {2, 3, 4});
    b.node(OpKind::Softmax, {"x"}, "y", {{"axis", int64_t{1}}});  // only axis 1
    b.output("y");
    expect_near(run_both(b.graph(), {x}), ref_softmax(x.f32, 2, 3, 4));
  }
  {
    GraphBuilder b("g", 11);
    b.input("x", {2, 3, 4});
    b.node(OpKind::Softmax, {"x"}, "y");  // default axis 1, coerced to [2, 12]
    b.output("y");
    expect_near(run_both(b.graph(), {x}), ref_softmax(x.f32, 2, 12, 1));
    Graph c = graph::canonicalize(b.graph());
    EXPECT_EQ(c.nodes[0].attr_int("axis", -1), 1);
    EXPECT_EQ(c.nodes[0].attr_int("coerce_2d", -1), 1);
  }
}

std::vector<double> ref_matmul(const std::vector<float> &a, const std::vector<float> &b,
                               int64_t batch_a, int64_t batch_b, int64_t m, int64_t k,
                               int64_t n) {
  int64_t batch = std::max(batch_a, batch_b);
  std::vector<double> y;
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t q = 0; q < k; ++q)
          s += static_cast<double>(a[(batch_a == 1 ? 0 : p) * m * k + i * k + q]) *
               b[(batch_b == 1 ? 0 : p) * k * n + q * n + j];
        y.push_back(s);
      }
  return y;
}

TEST(InterpOps, MatMulBatchedBroadcastAnd1D) {
  {  // [2,3,4,5] x [5,6]: weights shared across the batch
    GraphBuilder b;
    b.input("a", {2, 3, 4, 5});
    b.constant("w", random_tensor({5, 6}, 2));
    b.node(OpKind::MatMul, {"a", "w"}, "y");
    b.output("y");
    TensorData a = random_tensor({2, 3, 4, 5}, 1);
    TensorData y = run_both(b.graph(), {a});
    EXPECT_EQ(y.shape, (Shape{2, 3, 4, 6}));
    expect_near(y, ref_matmul(a.f32, random_tensor({5, 6}, 2).f32, 6, 1, 4, 5, 6));
  }
  {  // [1,3,4,5] x [3,5,2]: batch broadcast 1 -> 1
    GraphBuilder b;
    b.input("a", {3, 4, 5});
    b.input("b", {3, 5, 2});
    b.node(OpKind::MatMul, {"a", "b"}, "y");
    b.output("y");
    TensorData a = random_tensor({3, 4, 5}, 3), bb = random_tensor({3, 5, 2}, 4);
    expect_near(run_both(b.graph(), {a, bb}), ref_matmul(a.f32, bb.f32, 3, 3, 4, 5, 2));
  }
  {  // 1-D x 2-D and 2-D x 1-D
    GraphBuilder b;
    b.input("v", {5});
    b.input("m", {5, 3});
    b.input("u", {3});
    b.node(OpKind::MatMul, {"v", "m"}, "vm");
    b.node(OpKind::MatMul, {"m", "u"}, "mu");
    b.output("vm");
    b.output("mu");
    TensorData v = random_tensor({5}, 5), m = random_tensor({5, 3}, 6), u = random_tensor({3}, 7);
    graph::infer_shapes(b.graph());
    auto out = run(b.graph(), {v, m, u});
    EXPECT_EQ(out[0].shape, (Shape{3}));
    EXPECT_EQ(out[1].shape, (Shape{5}));
    expect_near(out[0], ref_matmul(v.f32, m.f32, 1, 1, 1, 5, 3));
    expect_near(out[1], ref_matmul(m.f32, u.f32, 1, 1, 5, 3, 1));
  }
}

TEST(InterpOps, TransposeDefaultAndPerm) {
  TensorData x = random_tensor({2, 3, 4}, 9);
  auto at = [&](int i, int j, int k) { return static_cast<double>(x.f32[(i * 3 + j) * 4 + k]); };
  GraphBuilder b;
  b.input("x", {2, 3, 4});
  b.node(OpKind::Transpose, {"x"}, "y", {{"perm", ints({1, 2, 0})}});
  b.node(OpKind::Transpose, {"x"}, "z");
  b.output("y");
  b.output("z");
  graph::infer_shapes(b.graph());
  auto out = run(graph::canonicalize(b.graph()), {x});
  std::vector<double> wy, wz;
  for (int j = 0; j < 3; ++j)
    for (int k = 0; k < 4; ++k)
      for (int i = 0; i < 2; ++i) wy.push_back(at(i, j, k));
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) wz.push_back(at(i, j, k));
  EXPECT_EQ(out[0].shape, (Shape{3, 4, 2}));
  EXPECT_EQ(out[1].shape, (Shape{4, 3, 2}));
  expect_near(out[0], wy);
  expect_near(out[1], wz);
}

TEST(InterpOps, ReductionsAttributeAndInputAxes) {
  TensorData x = random_tensor({2, 3, 4}, 11);
  auto at = [&](int i, int j, int k) { return static_cast<double>(x.f32[(i * 3 + j) * 4 + k]); };
  std::vector<double> mean, sum, mx;
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 4; ++k) {
      double s = 0, m = -1e30;
      for (int j = 0; j < 3; ++j) s += at(i, j, k), m = std::max(m, at(i, j, k));
      mean.push_back(s / 3);
      sum.push_back(s);
      mx.push_back(m);
    }
  {  // ReduceMean opset 13: axes attribute, keepdims default 1
    GraphBuilder b("g", 13);
    b.input("x", {2, 3, 4});
    b.node(OpKind::ReduceMean, {"x"}, "y", {{"axes", ints({-2})}});
    b.output("y");
    TensorData y = run_both(b.graph(), {x});
    EXPECT_EQ(y.shape, (Shape{2, 1, 4}));
    expect_near(y, mean);
  }
  {  // ReduceMean opset 18: axes input, keepdims 0
    GraphBuilder b("g", 18);
    b.input("x", {2, 3, 4});
    b.constant("axes", tensor_i64({1}, {1}));
    b.node(OpKind::ReduceMean, {"x", "axes"}, "y", {{"keepdims", int64_t{0}}});
    b.output("y");
    TensorData y = run_both(b.graph(), {x});
    EXPECT_EQ(y.shape, (Shape{2, 4}));
    expect_near(y, mean);
  }
  {  // ReduceSum opset 13: axes input
    GraphBuilder b("g", 13);
    b.input("x", {2, 3, 4});
    b.constant("axes", tensor_i64({1}, {1}));
    b.node(OpKind::ReduceSum, {"x", "axes"}, "y", {{"keepdims", int64_t{0}}});
    b.output("y");
    expect_near(run_both(b.graph(), {x}), sum);
  }
  {  // ReduceMax, and reduce-all by default
    GraphBuilder b("g", 13);
    b.input("x", {2, 3, 4});
    b.node(OpKind::ReduceMax, {"x"}, "y", {{"axes", ints({1})}, {"keepdims", int64_t{0}}});
    b.node(OpKind::ReduceSum, {"x"}, "t");
    b.output("y");
    b.output("t");
    graph::infer_shapes(b.graph());
    auto out = run(graph::canonicalize(b.graph()), {x});
    expect_near(out[0], mx);
    EXPECT_EQ(out[1].shape, (Shape{1, 1, 1}));
    double total = 0;
    for (float v : x.f32) total += v;
    expect_near(out[1], {total});
  }
}

TEST(InterpOps, ConcatAndSplit) {
  TensorData a = random_tensor({2, 2, 3}, 1), c = random_tensor({2, 1, 3}, 2);
  GraphBuilder b("g", 13);
  b.input("a", {2, 2, 3});
  b.input("c", {2, 1, 3});
  b.node(OpKind::Concat, {"a", "c"}, "y", {{"axis", int64_t{-2}}});
  b.output("y");
  std::vector<double> want;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 6; ++j) want.push_back(a.f32[i * 6 + j]);
    for (int j = 0; j < 3; ++j) want.push_back(c.f32[i * 3 + j]);
  }
  TensorData y = run_both(b.graph(), {a, c});
  EXPECT_EQ(y.shape, (Shape{2, 3, 3}));
  expect_near(y, want);

  // Split back with sizes as an input (opset 13) and as an attribute (opset 11).
  for (int opset : {11, 13}) {
    GraphBuilder s("g", opset);
    s.input("y", {2, 3, 3});
    graph::Node n;
    n.op = OpKind::Split;
    n.name = "split";
    n.inputs.push_back(s.graph().find_value("y"));
    if (opset >= 13)
      n.inputs.push_back(s.constant("sizes", tensor_i64({2}, {2, 1})));
    else
      n.attrs["split"] = ints({2, 1});
    n.attrs["axis"] = int64_t{1};
    for (const char *name : {"p", "q"}) {
      graph::Value v;
      v.name = name;
      v.producer = 0;
      n.outputs.push_back(s.graph().add_value(v));
      s.graph().outputs.push_back(n.outputs.back());
    }
    s.graph().nodes.push_back(n);
    graph::infer_shapes(s.graph());
    for (const Graph &g : {s.graph(), graph::canonicalize(s.graph())}) {
      auto out = run(g, {y});
      EXPECT_EQ(out[0].f32, a.f32);
      EXPECT_EQ(out[1].f32, c.f32);
    }
  }
}

// The expected values of the ONNX node tests (onnx/backend/test/case/node/resize.py).
TEST(InterpOps, ResizeMatchesTheOnnxNodeTests) {
  {  // test_resize_upsample_scales_linear: half_pixel, scales 2
    GraphBuilder b;
    b.input("x", {1, 1, 2, 2});
    b.constant("roi", tensor_f32({0}, {}));
    b.constant("s", tensor_f32({4}, {1, 1, 2, 2}));
    b.node(OpKind::Resize, {"x", "roi", "s"}, "y", {{"mode", std::string("linear")}});
    b.output("y");
    TensorData y = run_both(b.graph(), {tensor_f32({1, 1, 2, 2}, {1, 2, 3, 4})});
    EXPECT_EQ(y.shape, (Shape{1, 1, 4, 4}));
    expect_near(y, {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  }
  {  // test_resize_downsample_scales_linear_align_corners: the resized length is 0.6 * 4
    GraphBuilder b;
    b.input("x", {1, 1, 2, 4});
    b.constant("roi", tensor_f32({0}, {}));
    b.constant("s", tensor_f32({4}, {1, 1, 0.6f, 0.6f}));
    b.node(OpKind::Resize, {"x", "roi", "s"}, "y",
           {{"mode", std::string("linear")},
            {"coordinate_transformation_mode", std::string("align_corners")}});
    b.output("y");
    TensorData y = run_both(b.graph(), {tensor_f32({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})});
    EXPECT_EQ(y.shape, (Shape{1, 1, 1, 2}));
    expect_near(y, {1, 3.142857142857143});
  }
  {  // test_resize_downsample_sizes_nearest: sizes [1, 1, 1, 3], half_pixel, round_prefer_floor
    GraphBuilder b;
    b.input("x", {1, 1, 2, 4});
    b.constant("roi", tensor_f32({0}, {}));
    b.constant("s", tensor_f32({0}, {}));
    b.constant("sz", tensor_i64({4}, {1, 1, 1, 3}));
    b.node(OpKind::Resize, {"x", "roi", "s", "sz"}, "y", {});
    b.output("y");
    TensorData y = run_both(b.graph(), {tensor_f32({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})});
    EXPECT_EQ(y.shape, (Shape{1, 1, 1, 3}));
    expect_near(y, {1, 2, 4});
  }
  {  // test_upsample_nearest (opset 9): floor(x / scale)
    GraphBuilder b("g", 9);
    b.input("x", {1, 1, 2, 2});
    b.constant("s", tensor_f32({4}, {1, 1, 2, 3}));
    b.node(OpKind::Upsample, {"x", "s"}, "y", {{"mode", std::string("nearest")}});
    b.output("y");
    TensorData y = run_both(b.graph(), {tensor_f32({1, 1, 2, 2}, {1, 2, 3, 4})});
    EXPECT_EQ(y.shape, (Shape{1, 1, 4, 6}));
    expect_near(y, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
  }
}

// test_convtranspose of the ONNX node tests: x = 0..8 (3x3), weight all ones
// [1, 2, 3, 3]: every output channel is the full (5x5) transposed convolution.
TEST(InterpOps, ConvTransposeMatchesTheOnnxNodeTest) {
  GraphBuilder b;
  b.input("x", {1, 1, 3, 3});
  b.constant("w", tensor_f32({1, 2, 3, 3}, std::vector<float>(18, 1.0f)));
  b.node(OpKind::ConvTranspose, {"x", "w"}, "y", {});
  b.output("y");
  TensorData y = run_both(b.graph(), {tensor_f32({1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8})});
  EXPECT_EQ(y.shape, (Shape{1, 2, 5, 5}));
  const std::vector<double> plane = {0, 1,  3,  3,  2,  3, 8,  15, 12, 7,  9, 21, 36,
                                     27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
  std::vector<double> want = plane;
  want.insert(want.end(), plane.begin(), plane.end());
  expect_near(y, want);
  // Strides [3, 2] with output_padding [1, 1] (test_convtranspose_pad): 10x8,
  // the last row and column only from the padding (zeros).
  GraphBuilder c;
  c.input("x", {1, 1, 3, 3});
  c.constant("w", tensor_f32({1, 2, 3, 3}, std::vector<float>(18, 1.0f)));
  c.node(OpKind::ConvTranspose, {"x", "w"}, "y",
         {{"strides", ints({3, 2})}, {"output_padding", ints({1, 1})}});
  c.output("y");
  TensorData z = run_both(c.graph(), {tensor_f32({1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8})});
  EXPECT_EQ(z.shape, (Shape{1, 2, 10, 8}));
  const std::vector<double> row0 = {0, 0, 1, 1, 3, 2, 2, 0};
  for (size_t j = 0; j < 8; ++j) EXPECT_EQ(z.f32[j], row0[j]) << j;
  for (size_t j = 0; j < 8; ++j) EXPECT_EQ(z.f32[9 * 8 + j], 0.0f) << j;
}

TEST(InterpOps, ResizeRefusesWhatItDoesNotRun) {
  GraphBuilder b;
  b.input("x", {1, 1, 2, 2});
  b.input("s", {4});  // scales computed at run time
  b.node(OpKind::Resize, {"x", "", "s"}, "y", {});
  b.output("y");
  Graph g = b.graph();
  try {
    graph::infer_shapes(g);
    FAIL() << "no error";
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find("not supported: scales must be a constant"),
              std::string::npos)
        << e.what();
  }
  GraphBuilder c;
  c.input("x", {1, 1, 2, 2});
  c.constant("s", tensor_f32({4}, {1, 1, 2, 2}));
  c.node(OpKind::Resize, {"x", "", "s"}, "y", {{"antialias", int64_t{1}}});
  c.output("y");
  Graph g2 = c.graph();
  try {
    graph::infer_shapes(g2);
    FAIL() << "no error";
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find("(Resize, opset 13): not supported: antialias = 1"),
              std::string::npos)
        << e.what();
  }
}

TEST(InterpOps, GatherNegativeIndicesAndEmbedding) {
  TensorData data = random_tensor({5, 3}, 4);
  {  // constant indices (negative), axis 1
    GraphBuilder b;
    b.input("x", {5, 3});
    b.constant("idx", tensor_i64({2}, {-1, 0}));
    b.node(OpKind::Gather, {"x", "idx"}, "y", {{"axis", int64_t{1}}});
    b.output("y");
    std::vector<double> want;
    for (int i = 0; i < 5; ++i) want.push_back(data.f32[i * 3 + 2]), want.push_back(data.f32[i * 3]);
    TensorData y = run_both(b.graph(), {data});
    EXPECT_EQ(y.shape, (Shape{5, 2}));
    expect_near(y, want);
  }
  {  // run-time indices (an embedding lookup)
    GraphBuilder b;
    b.constant("table", data);
    b.input("ids", {1, 2}, DType::I64);
    b.node(OpKind::Gather, {"table", "ids"}, "y");
    b.output("y");
    TensorData y = run_both(b.graph(), {tensor_i64({1, 2}, {4, -5})});
    EXPECT_EQ(y.shape, (Shape{1, 2, 3}));
    std::vector<double> want;
    for (int j = 0; j < 3; ++j) want.push_back(data.f32[12 + j]);
    for (int j = 0; j < 3; ++j) want.push_back(data.f32[j]);
    expect_near(y, want);
    graph::infer_shapes(b.graph());
    EXPECT_THROW(run(b.graph(), {tensor_i64({1, 2}, {5, 0})}), UserError);
  }
}

TEST(InterpOps, SliceStepsNegativeAndClamping) {
  TensorData x = random_tensor({4, 6}, 12);
  auto at = [&](int i, int j) { return static_cast<double>(x.f32[i * 6 + j]); };
  // rows 3,1 (start -1, end -10 clamps, step -2); columns 1..5 step 2 (end huge clamps).
  std::vector<double> want;
  for (int i : {3, 1})
    for (int j : {1, 3, 5}) want.push_back(at(i, j));
  {
    GraphBuilder b("g", 13);
    b.input("x", {4, 6});
    b.constant("starts", tensor_i64({2}, {-1, 1}));
    b.constant("ends", tensor_i64({2}, {-10, std::numeric_limits<int64_t>::max()}));
    b.constant("axes", tensor_i64({2}, {0, -1}));
    b.constant("steps", tensor_i64({2}, {-2, 2}));
    b.node(OpKind::Slice, {"x", "starts", "ends", "axes", "steps"}, "y");
    b.output("y");
    TensorData y = run_both(b.graph(), {x});
    EXPECT_EQ(y.shape, (Shape{2, 3}));
    expect_near(y, want);
    Graph c = graph::canonicalize(b.graph());
    const graph::Node &n = c.nodes[0];
    EXPECT_EQ(n.inputs.size(), 1u);
    EXPECT_EQ(n.attr_ints("starts", {}), ints({3, 1}));
    EXPECT_EQ(n.attr_ints("ends", {}), ints({-5, 6}));  // -(4+1): down to index 0
    EXPECT_EQ(n.attr_ints("axes", {}), ints({0, 1}));
    EXPECT_EQ(n.attr_ints("steps", {}), ints({-2, 2}));
  }
  {  // opset 9: attributes, no steps
    GraphBuilder b("g", 9);
    b.input("x", {4, 6});
    b.node(OpKind::Slice, {"x"}, "y", {{"starts", ints({1})}, {"ends", ints({-1})}, {"axes", ints({1})}});
    b.output("y");
    TensorData y = run_both(b.graph(), {x});
    EXPECT_EQ(y.shape, (Shape{4, 4}));
    std::vector<double> w;
    for (int i = 0; i < 4; ++i)
      for (int j = 1; j < 5; ++j) w.push_back(at(i, j));
    expect_near(y, w);
  }
}

TEST(InterpOps, SqueezeUnsqueezeExpandWhereEqualCastConstantOfShape) {
  TensorData x = random_tensor({3, 1}, 13);
  GraphBuilder b("g", 13);
  b.input("x", {3, 1});
  b.constant("ax", tensor_i64({1}, {1}));
  b.constant("ax0", tensor_i64({1}, {0}));
  b.node(OpKind::Squeeze, {"x", "ax"}, "s");              // [3]
  b.node(OpKind::Unsqueeze, {"s", "ax0"}, "u");           // [1,3]
  b.constant("shape", tensor_i64({2}, {2, 1}));
  b.node(OpKind::Expand, {"u", "shape"}, "e");            // [2,3]
  b.constant("cshape", tensor_i64({2}, {2, 3}));
  TensorData half;
  half.dtype = DType::F32;
  half.shape = {1};
  half.f32 = {0.5f};
  b.node(OpKind::ConstantOfShape, {"cshape"}, "h", {{"value", half}});
  b.node(OpKind::Equal, {"e", "h"}, "eq");
  b.node(OpKind::Cast, {"e"}, "ei", {{"to", int64_t{7}}});  // truncate to int
  b.node(OpKind::Cast, {"ei"}, "ef", {{"to", int64_t{1}}});
  b.node(OpKind::Where, {"eq", "h", "ef"}, "y");
  b.output("y");
  std::vector<double> want;
  for (int r = 0; r < 2; ++r)
    for (int j = 0; j < 3; ++j) want.push_back(std::trunc(x.f32[j]));
  TensorData y = run_both(b.graph(), {x});
  EXPECT_EQ(y.shape, (Shape{2, 3}));
  expect_near(y, want);
}

TEST(InterpOps, ComparisonsAndLogicalOpsGiveBools) {
  GraphBuilder b("g", 13);
  b.input("a", {4});
  b.input("c", {1});
  b.input("p", {4}, DType::Bool);
  b.input("q", {4}, DType::Bool);
  b.node(OpKind::Greater, {"a", "c"}, "gt");
  b.node(OpKind::LessOrEqual, {"a", "c"}, "le");
  b.node(OpKind::And, {"p", "q"}, "and");
  b.node(OpKind::Or, {"p", "q"}, "or");
  b.node(OpKind::Xor, {"p", "q"}, "xor");
  b.node(OpKind::Not, {"p"}, "not");
  b.node(OpKind::Cast, {"a"}, "ab", {{"to", int64_t{9}}});  // bool: x != 0
  b.node(OpKind::Cast, {"a"}, "ai", {{"to", int64_t{6}}});  // int32: truncated
  for (const char *o : {"gt", "le", "and", "or", "xor", "not", "ab", "ai"}) b.output(o);
  graph::infer_shapes(b.graph());
  TensorData a = tensor_f32({4}, {-1.5f, 0.0f, 0.5f, 2.7f}), c = tensor_f32({1}, {0.5f});
  TensorData p = tensor_i64({4}, {0, 0, 1, 1}), q = tensor_i64({4}, {0, 1, 0, 1});
  p.dtype = q.dtype = DType::Bool;
  std::vector<TensorData> got = run(b.graph(), {a, c, p, q});
  const std::vector<std::vector<int64_t>> want = {{0, 0, 0, 1}, {1, 1, 1, 0}, {0, 0, 0, 1},
                                                  {0, 1, 1, 1}, {0, 1, 1, 0}, {1, 1, 0, 0},
                                                  {1, 0, 1, 1}, {-1, 0, 0, 2}};
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(got[k].dtype, k + 1 < want.size() ? DType::Bool : DType::I32) << k;
    EXPECT_EQ(got[k].i64, want[k]) << k;
  }
}

TEST(InterpOps, LayerNormalizationMatchesDecomposition) {
  TensorData x = random_tensor({2, 3, 8}, 21, -2.0f, 2.0f);
  TensorData scale = random_tensor({8}, 22), bias = random_tensor({8}, 23);
  GraphBuilder b("g", 17);
  b.input("x", {2, 3, 8});
  b.constant("scale", scale);
  b.constant("bias", bias);
  b.node(OpKind::LayerNormalization, {"x", "scale", "bias"}, "y", {{"epsilon", 1e-3f}});
  b.output("y");
  std::vector<double> want;
  for (int r = 0; r < 6; ++r) {
    double m = 0, v = 0;
    for (int k = 0; k < 8; ++k) m += x.f32[r * 8 + k];
    m /= 8;
    for (int k = 0; k < 8; ++k) v += (x.f32[r * 8 + k] - m) * (x.f32[r * 8 + k] - m);
    v /= 8;
    for (int k = 0; k < 8; ++k)
      want.push_back((x.f32[r * 8 + k] - m) / std::sqrt(v + 1e-3) * scale.f32[k] + bias.f32[k]);
  }
  expect_near(run_both(b.graph(), {x}), want);
}

TEST(InterpOps, LayerNormalizationMeanAndInvStdDevOutputs) {
  TensorData x = random_tensor({2, 3, 4}, 31, -2.0f, 2.0f);
  TensorData scale = random_tensor({3, 4}, 32);
  GraphBuilder b("g", 17);
  b.input("x", {2, 3, 4});
  b.constant("scale", scale);
  b.node(OpKind::LayerNormalization, {"x", "scale"}, "y", {{"axis", int64_t{1}}});
  Graph &g = b.graph();
  for (const char *name : {"mean", "inv"}) {  // the optional outputs
    graph::Value v;
    v.name = name;
    v.producer = 0;
    g.nodes[0].outputs.push_back(g.add_value(v));
    b.output(name);
  }
  b.output("y");
  graph::infer_shapes(g);
  EXPECT_EQ(g.values[g.find_value("mean")].shape, (Shape{2, 1, 1}));
  std::vector<TensorData> got = run(g, {x});
  ASSERT_EQ(got.size(), 3u);
  std::vector<double> mean, inv;
  for (int r = 0; r < 2; ++r) {
    double m = 0, v = 0;
    for (int k = 0; k < 12; ++k) m += x.f32[r * 12 + k];
    m /= 12;
    for (int k = 0; k < 12; ++k) v += (x.f32[r * 12 + k] - m) * (x.f32[r * 12 + k] - m);
    mean.push_back(m);
    inv.push_back(1 / std::sqrt(v / 12 + 1e-5));
  }
  expect_near(got[0], mean);
  expect_near(got[1], inv);
}

TEST(InterpOps, ReduceFamilyMatchesDefinitions) {
  TensorData x = random_tensor({2, 3, 4}, 41, 0.1f, 2.0f);
  struct Case {
    OpKind op;
    double init;
    double (*step)(double acc, double v);
    double (*fin)(double acc);
  };
  const Case cases[] = {
      {OpKind::ReduceMin, 1e300, [](double a, double v) { return std::min(a, v); },
       [](double a) { return a; }},
      {OpKind::ReduceProd, 1, [](double a, double v) { return a * v; }, [](double a) { return a; }},
      {OpKind::ReduceL1, 0, [](double a, double v) { return a + std::fabs(v); },
       [](double a) { return a; }},
      {OpKind::ReduceL2, 0, [](double a, double v) { return a + v * v; },
       [](double a) { return std::sqrt(a); }},
      {OpKind::ReduceSumSquare, 0, [](double a, double v) { return a + v * v; },
       [](double a) { return a; }},
      {OpKind::ReduceLogSum, 0, [](double a, double v) { return a + v; },
       [](double a) { return std::log(a); }},
      {OpKind::ReduceLogSumExp, 0, [](double a, double v) { return a + std::exp(v); },
       [](double a) { return std::log(a); }},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(graph::op_name(c.op));
    GraphBuilder b("g", 13);
    b.input("x", {2, 3, 4});
    b.node(c.op, {"x"}, "y", {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}});
    b.output("y");
    std::vector<double> want;
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 4; ++k) {
        double acc = c.init;
        for (int j = 0; j < 3; ++j) acc = c.step(acc, x.f32[(i * 3 + j) * 4 + k]);
        want.push_back(c.fin(acc));
      }
    TensorData got = run_both(b.graph(), {x});
    EXPECT_EQ(got.shape, (Shape{2, 4}));
    expect_near(got, want);
  }
}

TEST(InterpOps, ArgMaxArgMinFirstOrLastIndexOfTies) {
  // Rows of [2, 4] along axis 1: ties at the max and at the min.
  TensorData x = tensor_f32({2, 4}, {1, 3, 3, -1, 0, -2, 5, -2});
  struct Case {
    OpKind op;
    int64_t last;
    std::vector<int64_t> want;
  };
  const Case cases[] = {{OpKind::ArgMax, 0, {1, 2}}, {OpKind::ArgMax, 1, {2, 2}},
                        {OpKind::ArgMin, 0, {3, 1}}, {OpKind::ArgMin, 1, {3, 3}}};
  for (const Case &c : cases) {
    GraphBuilder b("g", 13);
    b.input("x", {2, 4});
    b.node(c.op, {"x"}, "y",
           {{"axis", int64_t{-1}}, {"keepdims", int64_t{1}}, {"select_last_index", c.last}});
    b.output("y");
    TensorData got = run_both(b.graph(), {x});
    EXPECT_EQ(got.dtype, DType::I64);
    EXPECT_EQ(got.shape, (Shape{2, 1}));
    EXPECT_EQ(got.i64, c.want) << graph::op_name(c.op) << " last " << c.last;
  }
}

TEST(InterpOps, ModSignsDepthToSpaceRoundTripHardmax) {
  GraphBuilder b("g", 13);
  b.input("a", {4}, DType::I32);
  b.input("d", {4}, DType::I32);
  b.input("x", {1, 8, 2, 3});
  b.node(OpKind::Mod, {"a", "d"}, "m");
  b.node(OpKind::Mod, {"a", "d"}, "f", {{"fmod", int64_t{1}}});
  b.node(OpKind::DepthToSpace, {"x"}, "wide", {{"blocksize", int64_t{2}}});
  b.node(OpKind::SpaceToDepth, {"wide"}, "back", {{"blocksize", int64_t{2}}});
  b.node(OpKind::Hardmax, {"x"}, "h", {{"axis", int64_t{1}}});
  for (const char *o : {"m", "f", "back", "h"}) b.output(o);
  graph::infer_shapes(b.graph());
  TensorData a = tensor_i64({4}, {7, -7, 7, -7}), d = tensor_i64({4}, {3, 3, -3, -3});
  a.dtype = d.dtype = DType::I32;
  TensorData x = random_tensor({1, 8, 2, 3}, 51);
  std::vector<TensorData> got = run(b.graph(), {a, d, x});
  EXPECT_EQ(got[0].i64, (std::vector<int64_t>{1, 2, -2, -1}));  // the divisor's sign
  EXPECT_EQ(got[1].i64, (std::vector<int64_t>{1, -1, 1, -1}));  // the dividend's sign
  EXPECT_EQ(got[2].f32, x.f32);
  for (int p = 0; p < 6; ++p) {  // one 1 per pixel, at the largest channel
    int best = 0;
    for (int c = 1; c < 8; ++c)
      if (x.f32[c * 6 + p] > x.f32[best * 6 + p]) best = c;
    for (int c = 0; c < 8; ++c) EXPECT_EQ(got[3].f32[c * 6 + p], c == best ? 1.0f : 0.0f);
  }
}

TEST(InterpOps, SizeIsTheElementCount) {
  GraphBuilder b("g", 13);
  b.input("x", {2, 3, 5});
  b.node(OpKind::Size, {"x"}, "n");
  b.output("n");
  graph::infer_shapes(b.graph());
  TensorData got = run(b.graph(), {random_tensor({2, 3, 5}, 5)}).at(0);
  EXPECT_EQ(got.shape, Shape{});
  EXPECT_EQ(got.i64, std::vector<int64_t>{30});
}

TEST(InterpOps, DropoutIsIdentityAndRejectsTraining) {
  TensorData x = random_tensor({2, 3}, 31);
  {
    GraphBuilder b("g", 13);
    b.input("x", {2, 3});
    b.constant("ratio", tensor_f32({}, {0.1f}));
    b.node(OpKind::Dropout, {"x", "ratio"}, "d");
    b.node(OpKind::Relu, {"d"}, "y");
    b.output("y");
    std::vector<double> want;
    for (float v : x.f32) want.push_back(v > 0 ? v : 0);
    expect_near(run_both(b.graph(), {x}), want);
    Graph c = graph::canonicalize(b.graph());
    ASSERT_EQ(c.nodes.size(), 1u);
    EXPECT_EQ(c.nodes[0].op, OpKind::Relu);
  }
  {
    GraphBuilder b("g", 13);
    b.input("x", {2, 3});
    b.constant("ratio", tensor_f32({}, {0.1f}));
    b.constant("train", tensor_i64({}, {1}));
    b.node(OpKind::Dropout, {"x", "ratio", "train"}, "y");
    b.output("y");
    EXPECT_THROW(graph::infer_shapes(b.graph()), UserError);
  }
}

TEST(InterpOps, ShapeSubgraphWithInt64) {
  // x -> Shape -> Gather(0) -> Unsqueeze -> Concat([-1]) -> Reshape(x, .)
  GraphBuilder b("g", 13);
  b.input("x", {2, 3, 4});
  b.node(OpKind::Shape, {"x"}, "s");
  b.constant("zero", tensor_i64({}, {0}));
  b.node(OpKind::Gather, {"s", "zero"}, "d0");
  b.constant("ax", tensor_i64({1}, {0}));
  b.node(OpKind::Unsqueeze, {"d0", "ax"}, "d0u");
  b.constant("m1", tensor_i64({1}, {-1}));
  b.node(OpKind::Concat, {"d0u", "m1"}, "target", {{"axis", int64_t{0}}});
  b.node(OpKind::Reshape, {"x", "target"}, "y");
  b.output("y");
  b.output("target");
  TensorData x = random_tensor({2, 3, 4}, 41);
  graph::infer_shapes(b.graph());
  auto out = run(b.graph(), {x});
  EXPECT_EQ(out[0].shape, (Shape{2, 12}));
  EXPECT_EQ(out[0].f32, x.f32);
  EXPECT_EQ(out[1].i64, ints({2, -1}));
  Graph c = graph::canonicalize(b.graph());
  auto out2 = run(c, {x});
  EXPECT_EQ(out2[0].f32, x.f32);
  EXPECT_EQ(out2[1].i64, ints({2, -1}));
}

TEST(InterpOps, BertSizedMatMulIsReasonablyFast) {
  GraphBuilder b;
  b.input("q", {1, 12, 128, 64});
  b.input("k", {1, 12, 64, 128});
  b.node(OpKind::MatMul, {"q", "k"}, "y");
  b.output("y");
  graph::infer_shapes(b.graph());
  auto out = run(b.graph(), {random_tensor({1, 12, 128, 64}, 1), random_tensor({1, 12, 64, 128}, 2)});
  EXPECT_EQ(out[0].shape, (Shape{1, 12, 128, 128}));
}

}  // namespace
}  // namespace swtc::interp
