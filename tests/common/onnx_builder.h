// Test helper: build small ONNX models in C++ by filling onnx::ModelProto.
//   std::string bytes = make_model({make_node("Relu", {"x"}, {"y"})},
//                                  {make_input("x", {1, 3})}, {}, 13);
// Link target: swtc_test_onnx_builder.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace swtc::test {

inline onnx::AttributeProto attr_int(const std::string &name, int64_t v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_INT);
  a.set_i(v);
  return a;
}
inline onnx::AttributeProto attr_float(const std::string &name, float v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_FLOAT);
  a.set_f(v);
  return a;
}
inline onnx::AttributeProto attr_string(const std::string &name, const std::string &v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_STRING);
  a.set_s(v);
  return a;
}
inline onnx::AttributeProto attr_ints(const std::string &name, const std::vector<int64_t> &v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int64_t x : v) a.add_ints(x);
  return a;
}
inline onnx::AttributeProto attr_floats(const std::string &name, const std::vector<float> &v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_FLOATS);
  for (float x : v) a.add_floats(x);
  return a;
}

/// A FLOAT tensor in float_data (or raw_data if `raw`).
inline onnx::TensorProto make_tensor_f32(const std::string &name, const std::vector<int64_t> &dims,
                                         const std::vector<float> &data, bool raw = false) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  if (raw)
    t.set_raw_data(std::string(reinterpret_cast<const char *>(data.data()), data.size() * 4));
  else
    for (float x : data) t.add_float_data(x);
  return t;
}
/// An INT64 tensor in int64_data (or raw_data if `raw`).
inline onnx::TensorProto make_tensor_i64(const std::string &name, const std::vector<int64_t> &dims,
                                         const std::vector<int64_t> &data, bool raw = false) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto_DataType_INT64);
  for (int64_t d : dims) t.add_dims(d);
  if (raw)
    t.set_raw_data(std::string(reinterpret_cast<const char *>(data.data()), data.size() * 8));
  else
    for (int64_t x : data) t.add_int64_data(x);
  return t;
}
inline onnx::AttributeProto attr_tensor(const std::string &name, const onnx::TensorProto &t) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_TENSOR);
  *a.mutable_t() = t;
  return a;
}

inline onnx::NodeProto make_node(const std::string &op_type, const std::vector<std::string> &inputs,
                                 const std::vector<std::string> &outputs,
                                 const std::vector<onnx::AttributeProto> &attrs = {},
                                 const std::string &name = "", const std::string &domain = "") {
  onnx::NodeProto n;
  n.set_op_type(op_type);
  n.set_name(name);
  if (!domain.empty()) n.set_domain(domain);
  for (const auto &i : inputs) n.add_input(i);
  for (const auto &o : outputs) n.add_output(o);
  for (const auto &a : attrs) *n.add_attribute() = a;
  return n;
}

/// A tensor value info. A dim < 0 is left without value (unknown); a non-empty
/// entry of `dim_params` at index k makes dim k symbolic.
inline onnx::ValueInfoProto make_input(const std::string &name, const std::vector<int64_t> &dims,
                                       int32_t elem_type = onnx::TensorProto_DataType_FLOAT,
                                       const std::vector<std::string> &dim_params = {}) {
  onnx::ValueInfoProto vi;
  vi.set_name(name);
  auto *tt = vi.mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto *shape = tt->mutable_shape();
  for (size_t k = 0; k < dims.size(); ++k) {
    auto *d = shape->add_dim();
    if (k < dim_params.size() && !dim_params[k].empty())
      d->set_dim_param(dim_params[k]);
    else if (dims[k] >= 0)
      d->set_dim_value(dims[k]);
  }
  return vi;
}

inline onnx::ModelProto make_model_proto(const std::vector<onnx::NodeProto> &nodes,
                                         const std::vector<onnx::ValueInfoProto> &inputs,
                                         const std::vector<onnx::TensorProto> &initializers,
                                         int64_t opset = 13,
                                         std::vector<std::string> outputs = {},
                                         const std::string &graph_name = "test") {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.set_producer_name("swtc-tests");
  auto *op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  auto *g = m.mutable_graph();
  g->set_name(graph_name);
  for (const auto &n : nodes) *g->add_node() = n;
  for (const auto &i : inputs) *g->add_input() = i;
  for (const auto &t : initializers) *g->add_initializer() = t;
  if (outputs.empty() && !nodes.empty())
    for (const auto &o : nodes.back().output()) outputs.push_back(o);
  for (const auto &o : outputs) {
    auto *vi = g->add_output();
    vi->set_name(o);
    auto *tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    tt->mutable_shape();  // the checker requires the field; its dims stay unknown
  }
  return m;
}

/// Serialized model bytes; graph outputs default to the last node's outputs.
inline std::string make_model(const std::vector<onnx::NodeProto> &nodes,
                              const std::vector<onnx::ValueInfoProto> &inputs,
                              const std::vector<onnx::TensorProto> &initializers,
                              int64_t opset = 13, const std::vector<std::string> &outputs = {},
                              const std::string &graph_name = "test") {
  return make_model_proto(nodes, inputs, initializers, opset, outputs, graph_name)
      .SerializeAsString();
}

}  // namespace swtc::test
