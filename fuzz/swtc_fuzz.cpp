// libFuzzer target (issue 13): the bytes are an ONNX model; swtc imports it,
// runs the graph passes, lowers, schedules, plans memory and prints the C
// (no C compiler). A user error is the expected outcome for bad input; any
// other exception (an internal error, std::bad_alloc, ...) escapes and
// terminates, and the sanitizers (address, undefined) catch memory bugs:
// each is a crash libFuzzer reports. See docs/robustness.md.
//
// A custom mutator makes most mutations on the parsed ModelProto (a dim, an
// attribute, an initializer value set to a boundary value; a node's input
// rewired; an op type swapped; a node dropped), so that mutants mostly parse
// and reach shape inference, lowering and scheduling; the rest are libFuzzer's
// byte mutations.
#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "codegen/module.h"
#include "common/error.h"
#include "driver/driver.h"
#include "frontend/onnx/onnx_import.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

namespace {

int64_t interesting(std::mt19937_64 &rng) {
  static const int64_t kValues[] = {0, 1, -1, 2, 3, 7, 8, 9, 64, 255, 256, 65536,
                                    int64_t{1} << 31, int64_t{1} << 32, int64_t{1} << 62,
                                    INT64_MAX, INT64_MIN, -2, -(int64_t{1} << 31)};
  if (rng() % 4 == 0) return static_cast<int64_t>(rng() % 17) - 8;
  return kValues[rng() % (sizeof kValues / sizeof kValues[0])];
}

bool mutate_model(onnx::ModelProto &m, std::mt19937_64 &rng) {
  onnx::GraphProto *g = m.mutable_graph();
  static const char *const kOps[] = {
      "Conv", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "Gemm", "MatMul", "Add",
      "Sub", "Mul", "Div", "Pow", "Clip", "Transpose", "Concat", "Slice", "Expand", "ReduceMean",
      "ReduceSum", "ReduceMax", "Softmax", "LayerNormalization", "Flatten", "Reshape", "Squeeze",
      "Unsqueeze", "Identity", "Shape", "Gather", "ConstantOfShape", "Cast", "Sqrt", "Exp"};
  switch (rng() % 7) {
    case 0: {  // a dim of an input
      if (g->input_size() == 0) return false;
      auto *t = g->mutable_input(static_cast<int>(rng() % g->input_size()))->mutable_type();
      auto *sh = t->mutable_tensor_type()->mutable_shape();
      if (sh->dim_size() == 0 || rng() % 8 == 0) {
        sh->add_dim()->set_dim_value(interesting(rng));
      } else {
        sh->mutable_dim(static_cast<int>(rng() % sh->dim_size()))->set_dim_value(interesting(rng));
      }
      return true;
    }
    case 1: {  // an int attribute
      if (g->node_size() == 0) return false;
      auto *n = g->mutable_node(static_cast<int>(rng() % g->node_size()));
      if (n->attribute_size() == 0) return false;
      auto *a = n->mutable_attribute(static_cast<int>(rng() % n->attribute_size()));
      if (a->type() == onnx::AttributeProto::INT) a->set_i(interesting(rng));
      else if (a->type() == onnx::AttributeProto::INTS && a->ints_size() > 0)
        a->set_ints(static_cast<int>(rng() % a->ints_size()), interesting(rng));
      else if (a->type() == onnx::AttributeProto::INTS) a->add_ints(interesting(rng));
      else if (a->type() == onnx::AttributeProto::FLOAT) a->set_f(static_cast<float>(interesting(rng)));
      else return false;
      return true;
    }
    case 2: {  // an int64 initializer value (shapes, axes, starts) or a dim
      if (g->initializer_size() == 0) return false;
      auto *t = g->mutable_initializer(static_cast<int>(rng() % g->initializer_size()));
      if (t->data_type() == onnx::TensorProto::INT64 && t->raw_data().size() >= 8) {
        std::string raw = t->raw_data();
        const int64_t v = interesting(rng);
        std::memcpy(&raw[(rng() % (raw.size() / 8)) * 8], &v, 8);
        t->set_raw_data(raw);
      } else if (t->data_type() == onnx::TensorProto::INT64 && t->int64_data_size() > 0) {
        t->set_int64_data(static_cast<int>(rng() % t->int64_data_size()), interesting(rng));
      } else if (t->dims_size() > 0) {
        t->set_dims(static_cast<int>(rng() % t->dims_size()), interesting(rng));
      } else {
        return false;
      }
      return true;
    }
    case 3: {  // rewire a node input to another value
      if (g->node_size() == 0) return false;
      auto *n = g->mutable_node(static_cast<int>(rng() % g->node_size()));
      const auto *src = g->mutable_node(static_cast<int>(rng() % g->node_size()));
      std::string name = src->output_size() ? src->output(0) : "";
      if (rng() % 2 && g->input_size()) name = g->input(static_cast<int>(rng() % g->input_size())).name();
      if (n->input_size() == 0 || rng() % 4 == 0) n->add_input(name);
      else n->set_input(static_cast<int>(rng() % n->input_size()), name);
      return true;
    }
    case 4: {  // swap an op type
      if (g->node_size() == 0) return false;
      g->mutable_node(static_cast<int>(rng() % g->node_size()))
          ->set_op_type(kOps[rng() % (sizeof kOps / sizeof kOps[0])]);
      return true;
    }
    case 5: {  // drop a node
      if (g->node_size() < 2) return false;
      g->mutable_node()->DeleteSubrange(static_cast<int>(rng() % g->node_size()), 1);
      return true;
    }
    default: {  // the opset
      if (m.opset_import_size() == 0) return false;
      m.mutable_opset_import(0)->set_version(7 + static_cast<int64_t>(rng() % 12));
      return true;
    }
  }
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                                          unsigned int seed) {
  std::mt19937_64 rng(seed);
  onnx::ModelProto m;
  if (rng() % 4 != 0 && m.ParseFromArray(data, static_cast<int>(size))) {
    bool changed = false;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) changed |= mutate_model(m, rng);
    std::string out;
    if (changed && m.SerializeToString(&out) && out.size() <= max_size) {
      std::memcpy(data, out.data(), out.size());
      return out.size();
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string bytes(reinterpret_cast<const char *>(data), size);
  // The target depends on the input so both printers are reached.
  static const char *const kTargets[] = {"host", "sw26010", "sw26010pro"};
  swtc::driver::CompileOptions o;
  o.target = kTargets[size % 3];
  o.name = "fuzz";
  try {
    swtc::graph::Graph g = swtc::frontend::import_onnx_bytes(bytes, "fuzz");
    swtc::codegen::Module m = swtc::driver::compile_graph(g, o);
    (void)swtc::codegen::emit_module(m);
  } catch (const swtc::UserError &) {
  }
  return 0;
}
