// Test helper: build a graph::Graph directly (no ONNX), by value names.
//   GraphBuilder b;
//   b.input("x", {1, 3, 8, 8});
//   b.constant("w", random_tensor({4, 3, 3, 3}, 1));
//   b.node(OpKind::Conv, {"x", "w"}, "y", {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
//   b.output("y");
//   Graph g = b.graph();   // shapes not inferred yet
// Link target: swtc_test_graph_builder.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace swtc::test {

inline graph::TensorData tensor_f32(const graph::Shape &shape, std::vector<float> data) {
  graph::TensorData t;
  t.dtype = graph::DType::F32;
  t.shape = shape;
  t.f32 = std::move(data);
  return t;
}

inline graph::TensorData tensor_i64(const graph::Shape &shape, std::vector<int64_t> data) {
  graph::TensorData t;
  t.dtype = graph::DType::I64;
  t.shape = shape;
  t.i64 = std::move(data);
  return t;
}

/// Uniform values in [lo, hi) from a fixed seed, with |x| >= 0.05 (no zeros).
inline graph::TensorData random_tensor(const graph::Shape &shape, unsigned seed, float lo = -1.0f,
                                       float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  graph::TensorData t = tensor_f32(shape, {});
  for (int64_t i = 0; i < graph::num_elements(shape); ++i) {
    float v = dist(rng);
    if (v > -0.05f && v < 0.05f) v = v < 0 ? -0.05f - v : 0.05f + v;
    t.f32.push_back(v);
  }
  return t;
}

class GraphBuilder {
 public:
  explicit GraphBuilder(const std::string &name = "g", int opset = 13) {
    g_.name = name;
    g_.opset = opset;
  }

  int input(const std::string &name, const graph::Shape &shape,
            graph::DType dtype = graph::DType::F32) {
    graph::Value v;
    v.name = name;
    v.dtype = dtype;
    v.shape = shape;
    v.has_shape = true;
    int id = g_.add_value(v);
    g_.inputs.push_back(id);
    return id;
  }

  int constant(const std::string &name, const graph::TensorData &t) {
    graph::Value v;
    v.name = name;
    v.dtype = t.dtype;
    v.shape = t.shape;
    v.has_shape = true;
    v.constant = t;
    return g_.add_value(v);
  }

  /// Adds a node; inputs by name ("" = omitted optional input). Returns the
  /// output value id. The node is named `name` or "<out>_node".
  int node(graph::OpKind op, const std::vector<std::string> &inputs, const std::string &out,
           std::map<std::string, graph::AttrValue> attrs = {}, const std::string &name = "") {
    graph::Node n;
    n.op = op;
    n.name = name.empty() ? out + "_node" : name;
    for (const auto &in : inputs) n.inputs.push_back(in.empty() ? -1 : g_.find_value(in));
    graph::Value v;
    v.name = out;
    v.producer = static_cast<int>(g_.nodes.size());
    int id = g_.add_value(v);
    n.outputs.push_back(id);
    n.attrs = std::move(attrs);
    g_.nodes.push_back(std::move(n));
    return id;
  }

  void output(const std::string &name) { g_.outputs.push_back(g_.find_value(name)); }

  graph::Graph &graph() { return g_; }

 private:
  graph::Graph g_;
};

inline std::vector<int64_t> ints(std::initializer_list<int64_t> v) { return v; }

}  // namespace swtc::test
