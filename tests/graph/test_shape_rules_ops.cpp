// Shape rules (and their errors) of the transformer / MobileNet ops, the
// opset forms of their static parameters, and canonicalize's explicit forms.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "graph/passes/canonicalize.h"
#include "graph/shape_inference.h"
#include "graph_builder.h"

namespace swtc::graph {
namespace {

using test::GraphBuilder;
using test::ints;
using test::random_tensor;
using test::tensor_f32;
using test::tensor_i64;

Shape out_shape(Graph &g, const std::string &name = "y") {
  infer_shapes(g);
  return g.values[g.find_value(name)].shape;
}

/// Expects a UserError whose message contains `what`.
template <typename F>
void expect_user_error(F f, const std::string &what) {
  try {
    f();
    ADD_FAILURE() << "no error, expected: " << what;
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(ShapeRulesOps, Elementwise) {
  GraphBuilder b;
  b.input("a", {2, 1, 4});
  b.input("b", {3, 1});
  b.node(OpKind::Mul, {"a", "b"}, "y");
  b.node(OpKind::Equal, {"a", "b"}, "e");
  b.node(OpKind::Where, {"e", "a", "b"}, "w");
  b.node(OpKind::Erf, {"a"}, "u");
  b.node(OpKind::Greater, {"a", "b"}, "gt");
  b.node(OpKind::Not, {"gt"}, "ng");
  b.node(OpKind::Xor, {"gt", "ng"}, "x");
  b.output("y");
  Graph &g = b.graph();
  EXPECT_EQ(out_shape(g), (Shape{2, 3, 4}));
  EXPECT_EQ(g.values[g.find_value("e")].dtype, DType::Bool);
  EXPECT_EQ(g.values[g.find_value("x")].dtype, DType::Bool);
  EXPECT_EQ(g.values[g.find_value("x")].shape, (Shape{2, 3, 4}));
  EXPECT_EQ(g.values[g.find_value("w")].shape, (Shape{2, 3, 4}));
  EXPECT_EQ(g.values[g.find_value("u")].shape, (Shape{2, 1, 4}));
  GraphBuilder bad;
  bad.input("a", {2, 3});
  bad.input("b", {4});
  bad.node(OpKind::Sub, {"a", "b"}, "y", {}, "sub1");
  expect_user_error([&] { infer_shapes(bad.graph()); }, "node 'sub1' (Sub): shapes [2,3] and [4]");
  // Logical ops take bools; Where's condition is a bool.
  GraphBuilder nb;
  nb.input("a", {2});
  nb.node(OpKind::And, {"a", "a"}, "y", {}, "and1");
  expect_user_error([&] { infer_shapes(nb.graph()); }, "node 'and1' (And): input 'a' must be bool");
  GraphBuilder nw;
  nw.input("a", {2});
  nw.node(OpKind::Where, {"a", "a", "a"}, "y", {}, "w1");
  expect_user_error([&] { infer_shapes(nw.graph()); }, "condition 'a' must be bool, got f32");
}

TEST(ShapeRulesOps, MatMul) {
  auto mm = [](Shape a, Shape b) {
    GraphBuilder g;
    g.input("a", a);
    g.input("b", b);
    g.node(OpKind::MatMul, {"a", "b"}, "y", {}, "mm");
    return out_shape(g.graph());
  };
  EXPECT_EQ(mm({1, 12, 128, 64}, {1, 12, 64, 128}), (Shape{1, 12, 128, 128}));
  EXPECT_EQ(mm({1, 128, 768}, {768, 3072}), (Shape{1, 128, 3072}));
  EXPECT_EQ(mm({3, 1, 4, 5}, {2, 5, 6}), (Shape{3, 2, 4, 6}));
  EXPECT_EQ(mm({5}, {2, 5, 6}), (Shape{2, 6}));
  EXPECT_EQ(mm({2, 4, 5}, {5}), (Shape{2, 4}));
  EXPECT_EQ(mm({5}, {5}), (Shape{}));
  expect_user_error([&] { mm({2, 3}, {4, 5}); }, "node 'mm' (MatMul): inner dimensions");
  expect_user_error([&] { mm({2, 3, 4}, {3, 4, 5}); }, "batch dimensions");
}

TEST(ShapeRulesOps, TransposeConcatSoftmaxLayerNorm) {
  GraphBuilder b("g", 17);
  b.input("x", {2, 3, 4});
  b.input("z", {2, 5, 4});
  b.node(OpKind::Transpose, {"x"}, "t");
  b.node(OpKind::Transpose, {"x"}, "p", {{"perm", ints({0, 2, 1})}});
  b.node(OpKind::Concat, {"x", "z"}, "c", {{"axis", int64_t{-2}}});
  b.node(OpKind::Softmax, {"x"}, "s");
  b.constant("scale", random_tensor({4}, 1));
  b.node(OpKind::LayerNormalization, {"x", "scale"}, "y");
  Graph &g = b.graph();
  EXPECT_EQ(out_shape(g), (Shape{2, 3, 4}));
  EXPECT_EQ(out_shape(g, "t"), (Shape{4, 3, 2}));
  EXPECT_EQ(out_shape(g, "p"), (Shape{2, 4, 3}));
  EXPECT_EQ(out_shape(g, "c"), (Shape{2, 8, 4}));
  Graph c = canonicalize(g);
  for (const Node &n : c.nodes) {
    if (n.op == OpKind::Transpose && n.name == "t_node") {
      EXPECT_EQ(n.attr_ints("perm", {}), ints({2, 1, 0}));
    }
    if (n.op == OpKind::Concat) {
      EXPECT_EQ(n.attr_int("axis", -1), 1);
    }
    if (n.op == OpKind::Softmax) {
      EXPECT_EQ(n.attr_int("axis", -1), 2);
      EXPECT_EQ(n.attr_int("coerce_2d", -1), 0);
    }
    if (n.op == OpKind::LayerNormalization) {
      EXPECT_EQ(n.attr_int("axis", -1), 2);
      EXPECT_FLOAT_EQ(n.attr_float("epsilon", 0), 1e-5f);
    }
  }
  GraphBuilder e1;
  e1.input("x", {2, 3});
  e1.node(OpKind::Transpose, {"x"}, "y", {{"perm", ints({0, 0})}}, "tr");
  expect_user_error([&] { infer_shapes(e1.graph()); }, "perm [0,0] is not a permutation");
  GraphBuilder e2;
  e2.input("x", {2, 3});
  e2.input("z", {3, 3});
  e2.node(OpKind::Concat, {"x", "z"}, "y", {{"axis", int64_t{1}}}, "cat");
  expect_user_error([&] { infer_shapes(e2.graph()); }, "node 'cat' (Concat): input 'z'");
  GraphBuilder e3("g", 17);
  e3.input("x", {2, 3});
  e3.constant("scale", random_tensor({2}, 1));
  e3.node(OpKind::LayerNormalization, {"x", "scale"}, "y", {}, "ln");
  expect_user_error([&] { infer_shapes(e3.graph()); }, "normalized shape [3]");
}

TEST(ShapeRulesOps, ReduceAxesFormsAndCanonicalForm) {
  {
    GraphBuilder b("g", 13);
    b.input("x", {2, 3, 4});
    b.node(OpKind::ReduceMean, {"x"}, "y", {{"axes", ints({-1, 0})}});
    Graph &g = b.graph();
    EXPECT_EQ(out_shape(g), (Shape{1, 3, 1}));
    Graph c = canonicalize(g);
    EXPECT_EQ(c.nodes[0].attr_ints("axes", {}), ints({0, 2}));
    EXPECT_EQ(c.nodes[0].attr_int("keepdims", -1), 1);
  }
  {
    GraphBuilder b("g", 18);
    b.input("x", {2, 3, 4});
    b.constant("axes", tensor_i64({1}, {-1}));
    b.node(OpKind::ReduceMean, {"x", "axes"}, "y", {{"keepdims", int64_t{0}}});
    Graph &g = b.graph();
    EXPECT_EQ(out_shape(g), (Shape{2, 3}));
    Graph c = canonicalize(g);
    EXPECT_EQ(c.nodes[0].inputs.size(), 1u);
    EXPECT_EQ(c.nodes[0].attr_ints("axes", {}), ints({2}));
    EXPECT_EQ(c.nodes[0].attr_int("keepdims", -1), 0);
  }
  {  // noop_with_empty_axes: the identity, which canonicalize removes
    GraphBuilder b("g", 18);
    b.input("x", {2, 3});
    b.node(OpKind::ReduceSum, {"x"}, "r", {{"noop_with_empty_axes", int64_t{1}}});
    b.node(OpKind::Relu, {"r"}, "y");
    b.output("y");
    EXPECT_EQ(out_shape(b.graph(), "r"), (Shape{2, 3}));
    Graph c = canonicalize(b.graph());
    ASSERT_EQ(c.nodes.size(), 1u);
    EXPECT_EQ(c.nodes[0].op, OpKind::Relu);
  }
  {  // axes computed at run time
    GraphBuilder b("g", 18);
    b.input("x", {2, 3});
    b.input("axes", {1}, DType::I64);
    b.node(OpKind::ReduceMean, {"x", "axes"}, "y", {}, "rm");
    expect_user_error([&] { infer_shapes(b.graph()); },
                      "): not supported: axes must be a constant");
  }
  GraphBuilder e("g", 13);
  e.input("x", {2, 3});
  e.node(OpKind::ReduceMax, {"x"}, "y", {{"axes", ints({2})}}, "rmax");
  expect_user_error([&] { infer_shapes(e.graph()); }, "axes 2 is out of range");
}

TEST(ShapeRulesOps, SqueezeUnsqueezeOpsetForms) {
  {
    GraphBuilder b("g", 11);
    b.input("x", {3, 4});
    b.node(OpKind::Unsqueeze, {"x"}, "u", {{"axes", ints({0, -1})}});
    b.node(OpKind::Squeeze, {"u"}, "y", {{"axes", ints({0})}});
    b.node(OpKind::Squeeze, {"u"}, "all");
    Graph &g = b.graph();
    EXPECT_EQ(out_shape(g, "u"), (Shape{1, 3, 4, 1}));
    EXPECT_EQ(out_shape(g), (Shape{3, 4, 1}));
    EXPECT_EQ(out_shape(g, "all"), (Shape{3, 4}));
    Graph c = canonicalize(g);
    EXPECT_EQ(c.nodes[0].attr_ints("axes", {}), ints({0, 3}));
    EXPECT_EQ(c.nodes[1].attr_ints("axes", {}), ints({0}));
    EXPECT_EQ(c.nodes[2].attr_ints("axes", {}), ints({0, 3}));
  }
  {
    GraphBuilder b("g", 13);
    b.input("x", {3, 4});
    b.constant("axes", tensor_i64({1}, {1}));
    b.node(OpKind::Unsqueeze, {"x", "axes"}, "u");
    b.node(OpKind::Squeeze, {"u", "axes"}, "y");
    Graph &g = b.graph();
    EXPECT_EQ(out_shape(g, "u"), (Shape{3, 1, 4}));
    EXPECT_EQ(out_shape(g), (Shape{3, 4}));
    Graph c = canonicalize(g);
    for (const Node &n : c.nodes) {
      EXPECT_EQ(n.inputs.size(), 1u);
      EXPECT_EQ(n.attr_ints("axes", {}), ints({1}));
    }
  }
  GraphBuilder e("g", 11);
  e.input("x", {3, 4});
  e.node(OpKind::Squeeze, {"x"}, "y", {{"axes", ints({1})}}, "sq");
  expect_user_error([&] { infer_shapes(e.graph()); }, "cannot squeeze axis 1 of size 4");
}

TEST(ShapeRulesOps, SliceClampingAndErrors) {
  auto slice = [](Shape x, std::vector<int64_t> st, std::vector<int64_t> en,
                  std::vector<int64_t> ax, std::vector<int64_t> sp) {
    GraphBuilder b("g", 13);
    b.input("x", x);
    b.constant("st", tensor_i64({static_cast<int64_t>(st.size())}, st));
    b.constant("en", tensor_i64({static_cast<int64_t>(en.size())}, en));
    b.constant("ax", tensor_i64({static_cast<int64_t>(ax.size())}, ax));
    b.constant("sp", tensor_i64({static_cast<int64_t>(sp.size())}, sp));
    b.node(OpKind::Slice, {"x", "st", "en", "ax", "sp"}, "y", {}, "sl");
    return out_shape(b.graph());
  };
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(slice({10}, {2}, {big}, {0}, {1}), (Shape{8}));
  EXPECT_EQ(slice({10}, {-3}, {-1}, {0}, {1}), (Shape{2}));
  EXPECT_EQ(slice({10}, {-1}, {-big}, {0}, {-1}), (Shape{10}));
  EXPECT_EQ(slice({10}, {9}, {0}, {0}, {-3}), (Shape{3}));  // 9, 6, 3
  EXPECT_EQ(slice({10}, {5}, {2}, {0}, {1}), (Shape{0}));
  EXPECT_EQ(slice({4, 10}, {0}, {7}, {-1}, {2}), (Shape{4, 4}));
  expect_user_error([&] { slice({10}, {0}, {5}, {0}, {0}); }, "must not contain 0");
  expect_user_error([&] { slice({10}, {0}, {5}, {1}, {1}); }, "axes 1 is out of range");
  GraphBuilder b("g", 13);
  b.input("x", {10});
  b.input("st", {1}, DType::I64);
  b.constant("en", tensor_i64({1}, {5}));
  b.node(OpKind::Slice, {"x", "st", "en"}, "y", {}, "sl");
  expect_user_error([&] { infer_shapes(b.graph()); },
                    "): not supported: starts must be a constant");
}

TEST(ShapeRulesOps, ShapeGatherAndPropagatedReshape) {
  GraphBuilder b("g", 15);
  b.input("x", {2, 3, 4});
  b.node(OpKind::Shape, {"x"}, "s");
  b.node(OpKind::Shape, {"x"}, "s1", {{"start", int64_t{-2}}});
  b.constant("i", tensor_i64({}, {-1}));
  b.node(OpKind::Gather, {"s", "i"}, "last");
  b.constant("ax", tensor_i64({1}, {0}));
  b.node(OpKind::Unsqueeze, {"last", "ax"}, "lastu");
  b.constant("m1", tensor_i64({1}, {-1}));
  b.node(OpKind::Concat, {"m1", "lastu"}, "target", {{"axis", int64_t{0}}});
  b.node(OpKind::Reshape, {"x", "target"}, "y");
  Graph &g = b.graph();
  KnownValues known = infer_shapes_with_values(g);
  EXPECT_EQ(g.values[g.find_value("s1")].shape, (Shape{2}));
  EXPECT_EQ(known[g.find_value("s1")]->i64, ints({3, 4}));
  EXPECT_EQ(g.values[g.find_value("last")].shape, (Shape{}));
  EXPECT_EQ(known[g.find_value("target")]->i64, ints({-1, 4}));
  EXPECT_EQ(g.values[g.find_value("y")].shape, (Shape{6, 4}));
  GraphBuilder e;
  e.input("x", {2, 3});
  e.constant("i", tensor_i64({1}, {2}));
  e.node(OpKind::Gather, {"x", "i"}, "y", {}, "ga");
  expect_user_error([&] { infer_shapes(e.graph()); }, "index 2 is out of range [-2, 1]");
}

TEST(ShapeRulesOps, ExpandConstantOfShapeCastSplit) {
  GraphBuilder b("g", 13);
  b.input("x", {3, 1});
  b.constant("shp", tensor_i64({3}, {2, 1, 4}));
  b.node(OpKind::Expand, {"x", "shp"}, "e");
  b.node(OpKind::ConstantOfShape, {"shp"}, "z");
  b.node(OpKind::Cast, {"x"}, "ci", {{"to", int64_t{7}}});
  Graph &g = b.graph();
  EXPECT_EQ(out_shape(g, "e"), (Shape{2, 3, 4}));
  EXPECT_EQ(out_shape(g, "z"), (Shape{2, 1, 4}));
  EXPECT_EQ(g.values[g.find_value("z")].dtype, DType::F32);
  EXPECT_EQ(g.values[g.find_value("ci")].dtype, DType::I64);
  Graph c = canonicalize(g);
  for (const Node &n : c.nodes)
    if (n.op == OpKind::Expand) {
      EXPECT_EQ(n.inputs.size(), 1u);
      EXPECT_EQ(n.attr_ints("shape", {}), ints({2, 3, 4}));
    }
  for (const Node &n : c.nodes) EXPECT_NE(n.op, OpKind::ConstantOfShape);  // now a constant

  GraphBuilder e;
  e.input("x", {3, 2});
  e.constant("shp", tensor_i64({2}, {3, 4}));
  e.node(OpKind::Expand, {"x", "shp"}, "y", {}, "ex");
  expect_user_error([&] { infer_shapes(e.graph()); }, "cannot be broadcast to shape [3,4]");
  GraphBuilder e2;
  e2.input("x", {3});
  e2.node(OpKind::Cast, {"x"}, "y", {{"to", int64_t{8}}}, "ca");
  expect_user_error([&] { infer_shapes(e2.graph()); }, "cast to ONNX data type 8");

  // Split: opset 18 num_outputs with an uneven last chunk.
  GraphBuilder s("g", 18);
  s.input("x", {2, 7});
  Node n;
  n.op = OpKind::Split;
  n.name = "split";
  n.inputs = {s.graph().find_value("x")};
  n.attrs["axis"] = int64_t{-1};
  n.attrs["num_outputs"] = int64_t{3};
  for (const char *name : {"a", "b", "c"}) {
    Value v;
    v.name = name;
    v.producer = 0;
    n.outputs.push_back(s.graph().add_value(v));
  }
  s.graph().nodes.push_back(n);
  s.graph().outputs = n.outputs;
  EXPECT_EQ(out_shape(s.graph(), "a"), (Shape{2, 3}));
  EXPECT_EQ(out_shape(s.graph(), "c"), (Shape{2, 1}));
  Graph sc = canonicalize(s.graph());
  EXPECT_EQ(sc.nodes[0].attr_ints("split", {}), ints({3, 3, 1}));
  EXPECT_EQ(sc.nodes[0].attr_int("axis", -1), 1);
  EXPECT_FALSE(sc.nodes[0].has_attr("num_outputs"));
}

TEST(ShapeRulesOps, ClipCanonicalFormAndErrors) {
  GraphBuilder b("g", 13);
  b.input("x", {2, 3});
  b.constant("lo", tensor_f32({}, {0.0f}));
  b.node(OpKind::Clip, {"x", "lo"}, "y");
  b.node(OpKind::Clip, {"x"}, "z");
  b.output("y");
  b.output("z");
  infer_shapes(b.graph());
  Graph c = canonicalize(b.graph());
  ASSERT_EQ(c.nodes.size(), 2u);
  EXPECT_EQ(c.nodes[0].inputs.size(), 1u);
  EXPECT_EQ(c.nodes[0].attr_float("min", 1), 0.0f);
  EXPECT_TRUE(std::isinf(c.nodes[0].attr_float("max", 0)));
  EXPECT_TRUE(std::isinf(c.nodes[1].attr_float("min", 0)));
  EXPECT_LT(c.nodes[1].attr_float("min", 0), 0.0f);

  GraphBuilder e("g", 13);
  e.input("x", {2, 3});
  e.input("lo", {}, DType::F32);
  e.node(OpKind::Clip, {"x", "lo"}, "y", {}, "clip6");
  e.output("y");
  infer_shapes(e.graph());
  expect_user_error([&] { canonicalize(e.graph()); },
                    "): not supported: min must be a constant");
}

TEST(ShapeRulesOps, DropoutMaskAndLayerNormStatsShaped) {
  GraphBuilder b("g", 13);
  b.input("x", {2, 3});
  b.node(OpKind::Dropout, {"x"}, "y", {}, "drop");
  Value mask;
  mask.name = "mask";
  mask.producer = 0;
  b.graph().nodes[0].outputs.push_back(b.graph().add_value(mask));
  infer_shapes(b.graph());  // the mask at inference: bool, all true
  EXPECT_EQ(b.graph().values[b.graph().find_value("mask")].shape, (Shape{2, 3}));
  EXPECT_EQ(b.graph().values[b.graph().find_value("mask")].dtype, DType::Bool);
  GraphBuilder t("g", 13);
  t.input("x", {2, 3});
  t.node(OpKind::Dropout, {"x"}, "y", {{"training_mode", int64_t{1}}}, "drop");
  expect_user_error([&] { infer_shapes(t.graph()); }, "): not supported: training_mode");
  GraphBuilder l("g", 17);
  l.input("x", {2, 3});
  l.constant("s", random_tensor({3}, 1));
  l.node(OpKind::LayerNormalization, {"x", "s"}, "y", {}, "ln");
  Value mean;
  mean.name = "mean";
  mean.producer = 0;
  l.graph().nodes[0].outputs.push_back(l.graph().add_value(mean));
  infer_shapes(l.graph());  // Mean: the normalized axes become 1
  EXPECT_EQ(l.graph().values[l.graph().find_value("mean")].shape, (Shape{2, 1}));
  EXPECT_EQ(l.graph().values[l.graph().find_value("mean")].dtype, DType::F32);
}

TEST(ShapeRulesOps, CanonicalizeIsIdempotentOnNewOps) {
  GraphBuilder b("g", 13);
  b.input("x", {4, 6});
  b.constant("st", tensor_i64({1}, {-1}));
  b.constant("en", tensor_i64({1}, {-100}));
  b.constant("ax", tensor_i64({1}, {0}));
  b.constant("sp", tensor_i64({1}, {-1}));
  b.node(OpKind::Slice, {"x", "st", "en", "ax", "sp"}, "s");
  b.constant("axes", tensor_i64({1}, {1}));
  b.node(OpKind::ReduceSum, {"s", "axes"}, "y");
  b.output("y");
  infer_shapes(b.graph());
  Graph c1 = canonicalize(b.graph());
  Graph c2 = canonicalize(c1);
  ASSERT_EQ(c1.nodes.size(), c2.nodes.size());
  for (size_t i = 0; i < c1.nodes.size(); ++i) {
    EXPECT_EQ(c1.nodes[i].attr_ints("starts", {}), c2.nodes[i].attr_ints("starts", {}));
    EXPECT_EQ(c1.nodes[i].attr_ints("ends", {}), c2.nodes[i].attr_ints("ends", {}));
    EXPECT_EQ(c1.nodes[i].attr_ints("steps", {}), c2.nodes[i].attr_ints("steps", {}));
    EXPECT_EQ(c1.nodes[i].attr_ints("axes", {}), c2.nodes[i].attr_ints("axes", {}));
    EXPECT_EQ(c1.nodes[i].attrs.size(), c2.nodes[i].attrs.size());
  }
  EXPECT_EQ(c2.values[c2.outputs[0]].shape, (Shape{4, 1}));
}

}  // namespace
}  // namespace swtc::graph
