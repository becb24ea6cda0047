#include "frontend/onnx/onnx_import.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/error.h"
#include "graph/printer.h"
#include "interp/interpreter.h"
#include "onnx_builder.h"

namespace swtc::frontend {
namespace {

using namespace swtc::test;  // NOLINT: the builder helpers
using graph::DType;
using graph::OpKind;
using graph::Shape;

std::string import_error(const std::string &bytes) {
  try {
    import_onnx_bytes(bytes, "m");
  } catch (const UserError &e) {
    return e.what();
  }
  return "";
}

std::vector<float> iota_f(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 0.01f * static_cast<float>(i + 1);
  return v;
}

TEST(OnnxImport, ConvReluGemmNet) {
  std::string bytes = make_model(
      {make_node("Conv", {"x", "w", "b"}, {"c"},
                 {attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 2})}, "conv1"),
       make_node("Relu", {"c"}, {"r"}, {}, "relu1"),
       make_node("GlobalAveragePool", {"r"}, {"p"}),
       make_node("Flatten", {"p"}, {"f"}),
       make_node("Gemm", {"f", "fcw", "fcb"}, {"y"}, {attr_int("transB", 1)}, "fc")},
      {make_input("x", {1, 3, 8, 8}), make_input("w", {4, 3, 3, 3})},  // w: an initializer too
      {make_tensor_f32("w", {4, 3, 3, 3}, iota_f(108)),
       make_tensor_f32("b", {4}, {1, 2, 3, 4}, /*raw=*/true),
       make_tensor_f32("fcw", {5, 4}, iota_f(20)), make_tensor_f32("fcb", {5}, iota_f(5))});
  graph::Graph g = import_onnx_bytes(bytes, "net");
  EXPECT_EQ(g.name, "test");
  EXPECT_EQ(g.opset, 13);
  ASSERT_EQ(g.inputs.size(), 1u);  // w is an initializer, not a graph input
  EXPECT_EQ(g.values[g.inputs[0]].name, "x");
  ASSERT_EQ(g.nodes.size(), 5u);
  EXPECT_EQ(g.nodes[2].name, "GlobalAveragePool_2");  // unnamed nodes get <OpType>_<index>
  EXPECT_EQ(g.nodes[0].attr_ints("pads", {}), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(g.values[g.find_value("b")].constant->f32, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(g.values[g.find_value("c")].shape, Shape({1, 4, 4, 4}));
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.values[g.outputs[0]].shape, Shape({1, 5}));
}

TEST(OnnxImport, AttributesOfEveryKind) {
  std::string bytes = make_model(
      {make_node("Constant", {}, {"k"},
                 {attr_tensor("value", make_tensor_i64("", {2}, {1, -1}, /*raw=*/true))}, "kc"),
       make_node("Reshape", {"x", "k"}, {"r"}, {}, "rs"),
       make_node("Gemm", {"r", "w"}, {"y"}, {attr_float("alpha", 0.5f), attr_int("transA", 0)})},
      {make_input("x", {2, 3})}, {make_tensor_f32("w", {6, 2}, iota_f(12))});
  graph::Graph g = import_onnx_bytes(bytes, "attrs");
  const graph::Node &kc = g.nodes[0];
  ASSERT_TRUE(std::holds_alternative<graph::TensorData>(kc.attrs.at("value")));
  EXPECT_EQ(std::get<graph::TensorData>(kc.attrs.at("value")).i64,
            (std::vector<int64_t>{1, -1}));
  EXPECT_FLOAT_EQ(g.nodes[2].attr_float("alpha", 0), 0.5f);
  EXPECT_EQ(g.values[g.find_value("r")].shape, Shape({1, 6}));
  EXPECT_EQ(g.values[g.find_value("y")].shape, Shape({1, 2}));
}

TEST(OnnxImport, Int32AndDoubleInitializersAreConverted) {
  onnx::TensorProto i32;
  i32.set_name("shape");
  i32.set_data_type(onnx::TensorProto_DataType_INT32);
  i32.add_dims(2);
  i32.add_int32_data(3);
  i32.add_int32_data(2);
  onnx::TensorProto f64;
  f64.set_name("bias");
  f64.set_data_type(onnx::TensorProto_DataType_DOUBLE);
  f64.add_dims(2);
  f64.add_double_data(0.25);
  f64.add_double_data(-1.5);
  // Not a valid ONNX model for the checker (Reshape needs int64), so build the
  // graph by hand through the converter via an Add of a DOUBLE->F32 constant.
  std::string bytes = make_model({make_node("Add", {"x", "bias"}, {"y"})},
                                 {make_input("x", {3, 2})}, {f64});
  graph::Graph g = import_onnx_bytes(bytes, "conv");
  const graph::Value &b = g.values[g.find_value("bias")];
  EXPECT_EQ(b.dtype, DType::F32);
  EXPECT_EQ(b.constant->f32, (std::vector<float>{0.25f, -1.5f}));
  (void)i32;
}

TEST(OnnxImport, UnsupportedOpHasExactMessage) {
  std::string bytes = make_model({make_node("Det", {"x"}, {"y"}, {}, "mydet")},
                                 {make_input("x", {3, 3})}, {});
  EXPECT_EQ(import_error(bytes), "node 'mydet' (Det, opset 13): not supported");
  std::string unnamed = make_model(
      {make_node("Relu", {"x"}, {"r"}), make_node("Det", {"r"}, {"y"})}, {make_input("x", {3, 3})},
      {}, 11);
  EXPECT_EQ(import_error(unnamed), "node 'Det_1' (Det, opset 11): not supported");
}

TEST(OnnxImport, NonDefaultDomainIsNotSupported) {
  onnx::ModelProto m = make_model_proto(
      {make_node("Relu", {"x"}, {"y"}, {}, "custom", "com.example")}, {make_input("x", {1, 3})},
      {});
  auto *op = m.add_opset_import();
  op->set_domain("com.example");
  op->set_version(1);
  EXPECT_EQ(import_error(m.SerializeAsString()), "node 'custom' (Relu, opset 13): not supported");
}

TEST(OnnxImport, MalformedBytesAreUserErrors) {
  std::string err = import_error("this is definitely not a protobuf \xff\xff\xff");
  EXPECT_NE(err.find("'m'"), std::string::npos) << err;
  EXPECT_FALSE(err.empty());
  EXPECT_FALSE(import_error("").empty());  // parses as an empty ModelProto: no graph
}

TEST(OnnxImport, FileErrorsNameTheFile) {
  std::string missing = "/nonexistent/dir/model.onnx";
  try {
    import_onnx_file(missing);
    FAIL();
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  std::string path = (std::filesystem::temp_directory_path() / "swtc_bad_model.onnx").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "\x0a\xff\xff\xff\xff garbage";
  }
  try {
    import_onnx_file(path);
    FAIL();
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(OnnxImport, FileImportUsesStemWhenGraphUnnamed) {
  std::string bytes = make_model({make_node("Relu", {"x"}, {"y"})}, {make_input("x", {2})}, {}, 13,
                                 {}, "");
  std::string path = (std::filesystem::temp_directory_path() / "swtc_relu_net.onnx").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }
  EXPECT_EQ(import_onnx_file(path).name, "swtc_relu_net");
}

TEST(OnnxImport, SymbolicAndMissingDims) {
  std::string sym = make_model({make_node("Relu", {"x"}, {"y"})},
                               {make_input("x", {0, 3}, onnx::TensorProto_DataType_FLOAT, {"N"})},
                               {});
  EXPECT_EQ(import_error(sym),
            "input 'x' has a symbolic dimension 'N' (dim #0); give its shape with --shape "
            "x=D0,D1,... (compile, run, profile)");
  std::string unknown =
      make_model({make_node("Relu", {"x"}, {"y"})}, {make_input("x", {1, -1})}, {});
  EXPECT_NE(import_error(unknown).find("input 'x' has an unknown dimension #1"),
            std::string::npos);
}

std::string shape_error(const std::string &bytes, const InputShapes &shapes) {
  try {
    import_onnx_bytes(bytes, "m", shapes);
  } catch (const UserError &e) {
    return e.what();
  }
  return "";
}

TEST(OnnxImport, GivenShapesBindSymbolicDims) {
  // a: [N, S, 4], b: [N, 4] (N shared), c: [?, 2]; y = a + b, z = relu(c).
  std::string m = make_model(
      {make_node("Unsqueeze", {"b", "ax"}, {"b3"}), make_node("Add", {"a", "b3"}, {"y"}),
       make_node("Relu", {"c"}, {"z"})},
      {make_input("a", {0, 0, 4}, onnx::TensorProto_DataType_FLOAT, {"N", "S"}),
       make_input("b", {0, 4}, onnx::TensorProto_DataType_FLOAT, {"N"}),
       make_input("c", {-1, 2})},
      {make_tensor_i64("ax", {1}, {1})}, 13, {"y", "z"});
  graph::Graph g = import_onnx_bytes(m, "m", {{"a", {3, 5, 4}}, {"c", {7, 2}}});
  EXPECT_EQ(g.values[g.find_value("b")].shape, Shape({3, 4}));  // N from a's shape
  EXPECT_EQ(g.values[g.find_value("y")].shape, Shape({3, 5, 4}));
  EXPECT_EQ(g.values[g.find_value("z")].shape, Shape({7, 2}));
  // b's shape alone fixes N but not S: a still needs its own.
  EXPECT_EQ(shape_error(m, {{"b", {3, 4}}, {"c", {7, 2}}}),
            "input 'a' has a symbolic dimension 'S' (dim #1); give its shape with --shape "
            "a=D0,D1,... (compile, run, profile)");
  EXPECT_EQ(shape_error(m, {{"a", {3, 5, 4}}}),
            "input 'c' has an unknown dimension #0; give its shape with --shape c=D0,D1,... "
            "(compile, run, profile)");
  EXPECT_EQ(shape_error(m, {{"a", {3, 5, 4}}, {"b", {2, 4}}, {"c", {7, 2}}}),
            "--shape: symbolic dimension 'N' is 3 for input 'a' but 2 for input 'b'");
  EXPECT_EQ(shape_error(m, {{"a", {3, 5, 5}}, {"c", {7, 2}}}),
            "--shape a=3,5,5: dim #2 of input 'a' is fixed to 4 in the model");
  EXPECT_EQ(shape_error(m, {{"a", {3, 5}}, {"c", {7, 2}}}),
            "--shape a=3,5: 2 dimensions, but input 'a' has rank 3");
  EXPECT_EQ(shape_error(m, {{"q", {1}}}), "--shape q=1: the model has no input named 'q'");
  EXPECT_EQ(shape_error(m, {{"ax", {1}}}), "--shape ax=1: the model has no input named 'ax'");
  EXPECT_EQ(shape_error(m, {{"c", {7, 2}}, {"c", {7, 2}}}),
            "--shape: input 'c' is given twice");
}

TEST(OnnxImport, OpsetRange) {
  // Tile changed at opset 6 (inputs tiles + axis): an opset-5 Tile has no
  // conversion and is refused, naming the node.
  std::string old = make_model(
      {make_node("Tile", {"x", "t", "a"}, {"y"}, {}, "tile5")}, {make_input("x", {2})},
      {make_tensor_i64("t", {}, {2}), make_tensor_i64("a", {}, {0})}, 5);
  const std::string err = import_error(old);
  EXPECT_NE(err.find("uses opset 5: not supported: node 'tile5' (Tile, opset 5): Tile's definition "
                     "at opset 5 (since version 1) differs from opset 7's (since version 6) and "
                     "swtc has no conversion for it"),
            std::string::npos)
      << err;
  // Relu (since 6) and GlobalAveragePool (since 1) mean the same at opsets 6 / 1 as at 7.
  EXPECT_EQ(import_error(make_model({make_node("Relu", {"x"}, {"y"})}, {make_input("x", {2})}, {}, 6)),
            "");
  std::string gap = make_model({make_node("GlobalAveragePool", {"x"}, {"y"})},
                               {make_input("x", {1, 2, 3, 3})}, {}, 1);
  EXPECT_EQ(import_error(gap), "");
  EXPECT_EQ(import_onnx_bytes(gap, "m").opset, 1);
  for (int64_t ok : {7, 18}) {
    std::string bytes =
        make_model({make_node("Relu", {"x"}, {"y"})}, {make_input("x", {2})}, {}, ok);
    EXPECT_EQ(import_error(bytes), "") << "opset " << ok;
  }
  std::string future =
      make_model({make_node("Relu", {"x"}, {"y"})}, {make_input("x", {2})}, {}, 19);
  EXPECT_NE(import_error(future).find("opset 19"), std::string::npos);
}

TEST(OnnxImport, UnsupportedDtypes) {
  onnx::TensorProto u16;
  u16.set_name("q");
  u16.set_data_type(onnx::TensorProto_DataType_UINT16);
  u16.add_dims(2);
  u16.set_raw_data(std::string("\x01\x02\x03\x04", 4));
  std::string bytes = make_model({make_node("Add", {"x", "q"}, {"y"})}, {make_input("x", {2})},
                                 {u16});
  std::string err = import_error(bytes);
  EXPECT_NE(err.find("initializer 'q' has data type UINT16"), std::string::npos) << err;
  std::string in16 =
      make_model({make_node("Relu", {"x"}, {"y"})},
                 {make_input("x", {2}, onnx::TensorProto_DataType_FLOAT16)}, {});
  EXPECT_NE(import_error(in16).find("input 'x' has data type FLOAT16"), std::string::npos)
      << import_error(in16);
}

TEST(OnnxImport, IntegerDtypes) {
  // u8 raw and i8 int32_data initializers keep their values; integer inputs keep their types.
  onnx::TensorProto u8;
  u8.set_name("q");
  u8.set_data_type(onnx::TensorProto_DataType_UINT8);
  u8.add_dims(2);
  u8.set_raw_data(std::string("\x01\xff", 2));
  onnx::TensorProto i8;
  i8.set_name("r");
  i8.set_data_type(onnx::TensorProto_DataType_INT8);
  i8.add_dims(2);
  i8.add_int32_data(-128);
  i8.add_int32_data(7);
  std::string bytes = make_model(
      {make_node("Add", {"x", "q"}, {"y"}), make_node("Sub", {"z", "r"}, {"w"})},
      {make_input("x", {2}, onnx::TensorProto_DataType_UINT8),
       make_input("z", {2}, onnx::TensorProto_DataType_INT8)},
      {u8, i8}, 13, {"y", "w"});
  graph::Graph g = import_onnx_bytes(bytes, "m");
  const graph::Value &q = g.values[g.find_value("q")], &r = g.values[g.find_value("r")];
  EXPECT_EQ(q.dtype, DType::U8);
  EXPECT_EQ(q.constant->i64, (std::vector<int64_t>{1, 255}));
  EXPECT_EQ(r.dtype, DType::I8);
  EXPECT_EQ(r.constant->i64, (std::vector<int64_t>{-128, 7}));
  EXPECT_EQ(g.values[g.find_value("y")].dtype, DType::U8);
  EXPECT_EQ(g.values[g.find_value("w")].dtype, DType::I8);
}

TEST(OnnxImport, ShapeErrorsNameTheNode) {
  std::string bytes = make_model({make_node("Conv", {"x", "w"}, {"y"}, {}, "conv1")},
                                 {make_input("x", {1, 3, 8, 8})},
                                 {make_tensor_f32("w", {2, 4, 3, 3}, iota_f(72))});
  std::string err = import_error(bytes);
  EXPECT_NE(err.find("node 'conv1' (Conv): input channels 3 do not match weight channels 4 x "
                     "group 1"),
            std::string::npos)
      << err;
}

TEST(OnnxImport, BatchNormTrainingOutputsAreUserErrors) {
  std::vector<onnx::TensorProto> params;
  for (const char *n : {"s", "b", "m", "v"}) params.push_back(make_tensor_f32(n, {2}, {1, 1}));
  std::string bytes = make_model(
      {make_node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y", "rm", "rv"},
                 {attr_int("training_mode", 1)}, "bn")},
      {make_input("x", {1, 2, 3, 3})}, params, 15, {"y"});
  std::string err = import_error(bytes);
  EXPECT_NE(err.find("node 'bn' (BatchNormalization, opset "), std::string::npos) << err;
}

TEST(OnnxImport, MutatedBytesGiveUserErrorsOnly) {
  std::string good = make_model(
      {make_node("Conv", {"x", "w"}, {"c"}, {attr_ints("pads", {1, 1, 1, 1})}, "conv1"),
       make_node("Relu", {"c"}, {"y"}, {}, "relu")},
      {make_input("x", {1, 2, 4, 4})}, {make_tensor_f32("w", {3, 2, 3, 3}, iota_f(54))});
  ASSERT_EQ(import_error(good), "");
  std::mt19937 rng(42);
  int user_errors = 0;
  for (int trial = 0; trial < 500; ++trial) {
    std::string bad = good;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng() & 0xff);
    if (trial % 5 == 0) bad.resize(rng() % bad.size());  // truncation
    try {
      import_onnx_bytes(bad, "fuzz");
    } catch (const UserError &) {
      ++user_errors;
    }  // anything else (InternalError, std::bad_alloc, a crash) fails the test
  }
  EXPECT_GT(user_errors, 100);
}


/// The outputs of `bytes` (a legacy-opset model) run by the interpreter.
std::vector<graph::TensorData> run_legacy(const std::string &bytes,
                                          const std::vector<graph::TensorData> &inputs) {
  return interp::run(import_onnx_bytes(bytes, "m"), inputs);
}

graph::TensorData f32(const Shape &shape, float scale = 0.37f) {
  graph::TensorData t;
  t.shape = shape;
  t.f32.resize(static_cast<size_t>(t.size()));
  for (size_t i = 0; i < t.f32.size(); ++i)  // mixed signs, no two equal
    t.f32[i] = scale * (static_cast<float>((i * 7) % 11) - 5.0f) + 0.01f * static_cast<float>(i);
  return t;
}

// Opsets 1 to 6: ops whose old attributes have a clear meaning are converted
// to opset 7 on import (frontend/onnx/legacy_opset.h); the results follow the
// old definitions.
TEST(OnnxImport, LegacyBroadcastAttributes) {
  // Add-6 with broadcast=1, axis=1: B [3] lines up with A's axis 1.
  std::string add = make_model(
      {make_node("Add", {"a", "b"}, {"y"}, {attr_int("broadcast", 1), attr_int("axis", 1)}, "add6")},
      {make_input("a", {2, 3, 4}), make_input("b", {3})}, {}, 6);
  graph::TensorData a = f32({2, 3, 4}), b = f32({3}, 1.3f);
  std::vector<graph::TensorData> y = run_legacy(add, {a, b});
  ASSERT_EQ(y[0].shape, Shape({2, 3, 4}));
  for (size_t i = 0; i < 24; ++i)
    EXPECT_FLOAT_EQ(y[0].f32[i], a.f32[i] + b.f32[(i / 4) % 3]) << i;
  // No axis: suffix matching (numpy's), B [3, 4].
  std::string mul = make_model(
      {make_node("Mul", {"a", "b"}, {"y"}, {attr_int("broadcast", 1)})},
      {make_input("a", {2, 3, 4}), make_input("b", {3, 4})}, {}, 6);
  graph::TensorData b2 = f32({3, 4}, 0.9f);
  y = run_legacy(mul, {a, b2});
  for (size_t i = 0; i < 24; ++i) EXPECT_FLOAT_EQ(y[0].f32[i], a.f32[i] * b2.f32[i % 12]) << i;
  // Pow (since 1) and Sub with consumed_inputs at opset 1, a one-element B.
  std::string pow = make_model(
      {make_node("Sub", {"a", "c"}, {"d"},
                 {attr_int("broadcast", 1), attr_ints("consumed_inputs", {0, 0})}),
       make_node("Pow", {"d", "e"}, {"y"}, {attr_int("broadcast", 1)})},
      {make_input("a", {2, 3}), make_input("c", {1, 1}), make_input("e", {})}, {}, 1);
  graph::TensorData a2 = f32({2, 3}), c = f32({1, 1}), e;
  e.f32 = {2.0f};
  y = run_legacy(pow, {a2, c, e});
  for (size_t i = 0; i < 6; ++i)
    EXPECT_NEAR(y[0].f32[i], (a2.f32[i] - c.f32[0]) * (a2.f32[i] - c.f32[0]), 1e-6) << i;
  // Gemm-6's broadcast: C [N] added to every row.
  std::string gemm = make_model(
      {make_node("Gemm", {"a", "w", "c"}, {"y"}, {attr_int("broadcast", 1), attr_int("transB", 1)})},
      {make_input("a", {2, 3}), make_input("w", {4, 3}), make_input("c", {4})}, {}, 6);
  graph::TensorData w = f32({4, 3}, 0.5f), cb = f32({4}, 2.0f);
  y = run_legacy(gemm, {a2, w, cb});
  ASSERT_EQ(y[0].shape, Shape({2, 4}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      double r = cb.f32[j];
      for (int64_t k = 0; k < 3; ++k) r += double{a2.f32[i * 3 + k]} * w.f32[j * 3 + k];
      EXPECT_NEAR(y[0].f32[i * 4 + j], r, 1e-5);
    }
  // What the old rule does not allow is refused, naming node and shapes.
  std::string bad = make_model(
      {make_node("Add", {"a", "b"}, {"y"}, {attr_int("broadcast", 1), attr_int("axis", 0)}, "add6")},
      {make_input("a", {2, 3}), make_input("b", {2, 1})}, {}, 6);
  EXPECT_NE(import_error(bad).find(
                "uses opset 6: not supported: node 'add6' (Add, opset 6): B [2, 1] is not A [2, 3]'s "
                "dims from axis 0 (the old broadcast rule has no 1-dim expansion)"),
            std::string::npos)
      << import_error(bad);
  std::string nobc = make_model({make_node("Add", {"a", "b"}, {"y"}, {}, "add6")},
                                {make_input("a", {2, 3}), make_input("b", {3})}, {}, 6);
  EXPECT_NE(import_error(nobc).find("without broadcast=1 both operands must have one shape, got "
                                    "[2, 3] and [3]"),
            std::string::npos)
      << import_error(nobc);
  std::string far = make_model(
      {make_node("Add", {"a", "b"}, {"y"}, {attr_int("broadcast", 1), attr_int("axis", 2)})},
      {make_input("a", {2, 3}), make_input("b", {3})}, {}, 6);
  EXPECT_NE(import_error(far).find("broadcast axis=2 does not place B [3] inside A [2, 3]"),
            std::string::npos)
      << import_error(far);
}

TEST(OnnxImport, LegacyPReluBatchNormAndOthers) {
  // PRelu-6: a slope of size C is per channel (axis 1).
  std::string prelu = make_model({make_node("PRelu", {"x", "s"}, {"y"})},
                                 {make_input("x", {2, 3, 4, 5})}, {make_tensor_f32("s", {3}, {0.1f, -0.5f, 2.0f})}, 6);
  graph::TensorData x = f32({2, 3, 4, 5});
  std::vector<graph::TensorData> y = run_legacy(prelu, {x});
  const float slope[] = {0.1f, -0.5f, 2.0f};
  for (size_t i = 0; i < 120; ++i) {
    const float v = x.f32[i];
    EXPECT_FLOAT_EQ(y[0].f32[i], v < 0 ? v * slope[(i / 20) % 3] : v) << i;
  }
  std::string prelu_bad = make_model({make_node("PRelu", {"x", "s"}, {"y"}, {}, "p")},
                                     {make_input("x", {2, 3, 4, 5})},
                                     {make_tensor_f32("s", {4}, {0.1f, 0.2f, 0.3f, 0.4f})}, 6);
  EXPECT_NE(import_error(prelu_bad).find(
                "node 'p' (PRelu, opset 6): slope [4] for X [2, 3, 4, 5]: opset 6 defines a slope "
                "of size 1 (shared) or one per channel (X's axis 1)"),
            std::string::npos)
      << import_error(prelu_bad);
  // BatchNormalization-6 in test mode is opset 7's; training mode is refused.
  std::vector<onnx::TensorProto> bn_params = {
      make_tensor_f32("sc", {2}, {1.5f, 0.5f}), make_tensor_f32("bi", {2}, {0.25f, -1.0f}),
      make_tensor_f32("mu", {2}, {0.1f, -0.2f}), make_tensor_f32("va", {2}, {4.0f, 0.25f})};
  std::string bn = make_model(
      {make_node("BatchNormalization", {"x", "sc", "bi", "mu", "va"}, {"y"},
                 {attr_int("is_test", 1), attr_float("epsilon", 0.0f)})},
      {make_input("x", {1, 2, 3})}, bn_params, 6);
  graph::TensorData xb = f32({1, 2, 3});
  y = run_legacy(bn, {xb});
  const float sc[] = {1.5f, 0.5f}, bi[] = {0.25f, -1.0f}, mu[] = {0.1f, -0.2f}, sd[] = {2.0f, 0.5f};
  for (size_t i = 0; i < 6; ++i)
    EXPECT_NEAR(y[0].f32[i], (xb.f32[i] - mu[i / 3]) / sd[i / 3] * sc[i / 3] + bi[i / 3], 1e-6);
  std::string train = make_model(
      {make_node("BatchNormalization", {"x", "sc", "bi", "mu", "va"}, {"y"}, {}, "bn")},
      {make_input("x", {1, 2, 3})}, bn_params, 6);
  EXPECT_NE(import_error(train).find("node 'bn' (BatchNormalization, opset 6): is_test=0 (training "
                                     "mode) is not supported"),
            std::string::npos)
      << import_error(train);
  // Opset 1: Reshape's shape attribute, Pad's paddings, Concat's default
  // axis 1, Relu's consumed_inputs, Selu's own defaults.
  std::string one = make_model(
      {make_node("Reshape", {"x"}, {"r"}, {attr_ints("shape", {3, 2})}),
       make_node("Pad", {"r"}, {"p"}, {attr_ints("paddings", {0, 1, 0, 0})}),
       make_node("Concat", {"p", "p"}, {"c"}),
       make_node("Relu", {"c"}, {"q"}, {attr_ints("consumed_inputs", {0})}),
       make_node("Selu", {"c"}, {"s"})},
      {make_input("x", {2, 3})}, {}, 1, {"q", "s"});
  graph::TensorData x1 = f32({2, 3});
  y = run_legacy(one, {x1});
  ASSERT_EQ(y[0].shape, Shape({3, 6}));
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 6; ++j) {
      const float v = j % 3 == 0 ? 0.0f : x1.f32[static_cast<size_t>(i * 2 + j % 3 - 1)];
      EXPECT_FLOAT_EQ(y[0].f32[static_cast<size_t>(i * 6 + j)], std::max(v, 0.0f));
      const double selu = v > 0 ? 1.0507 * v : 1.0507 * 1.6732 * (std::exp(double{v}) - 1);
      EXPECT_NEAR(y[1].f32[static_cast<size_t>(i * 6 + j)], selu, 1e-6);
    }
}

}  // namespace
}  // namespace swtc::frontend
