#include "frontend/onnx/onnx_import.h"

#include "frontend/onnx/legacy_opset.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <unordered_map>

#include "common/error.h"
#include "graph/limits.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"

namespace swtc::frontend {

namespace {

using graph::AttrValue;
using graph::DType;
using graph::Graph;
using graph::Node;
using graph::OpKind;
using graph::Shape;
using graph::TensorData;
using graph::Value;

constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 18;

std::string elem_type_name(int32_t t) {
  if (onnx::TensorProto_DataType_IsValid(t))
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(t));
  return str_cat("type #", t);
}

template <typename T>
std::vector<T> read_raw(const std::string &raw) {
  std::vector<T> out(raw.size() / sizeof(T));
  std::memcpy(out.data(), raw.data(), out.size() * sizeof(T));  // little-endian host
  return out;
}

/// Converts a TensorProto (initializer or TENSOR attribute) to TensorData.
/// FLOAT, INT64, INT32, INT8, UINT8, UINT32, UINT64 and BOOL natively; DOUBLE -> F32.
TensorData tensor_from_proto(const onnx::TensorProto &t, const std::string &what) {
  TensorData out;
  for (int64_t d : t.dims()) {
    if (d < 0) user_error(what, " has a negative dimension ", d);
    out.shape.push_back(d);
  }
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    user_error(what, " uses external data, which swtc does not support yet");
  bool raw = t.has_raw_data();
  // Called in every case once out.dtype is set, before any data is copied.
  auto check_count = [&](size_t have, size_t elem_bytes) {
    graph::check_tensor_shape(out.shape, out.dtype, what);
    const int64_t n = out.size();
    size_t got = raw ? t.raw_data().size() / elem_bytes : have;
    if (raw && t.raw_data().size() % elem_bytes != 0)
      user_error(what, ": raw_data size ", t.raw_data().size(), " is not a multiple of ",
                 elem_bytes);
    if (static_cast<int64_t>(got) != n)
      user_error(what, ": shape ", graph::shape_str(out.shape), " needs ", n,
                 " elements but the data has ", got);
  };
  switch (t.data_type()) {
    case onnx::TensorProto_DataType_FLOAT:
      out.dtype = DType::F32;
      check_count(t.float_data_size(), 4);
      out.f32 = raw ? read_raw<float>(t.raw_data())
                    : std::vector<float>(t.float_data().begin(), t.float_data().end());
      break;
    case onnx::TensorProto_DataType_DOUBLE: {
      out.dtype = DType::F32;
      check_count(t.double_data_size(), 8);
      std::vector<double> d = raw ? read_raw<double>(t.raw_data())
                                  : std::vector<double>(t.double_data().begin(),
                                                        t.double_data().end());
      out.f32.assign(d.begin(), d.end());
      break;
    }
    case onnx::TensorProto_DataType_INT64:
      out.dtype = DType::I64;
      check_count(t.int64_data_size(), 8);
      out.i64 = raw ? read_raw<int64_t>(t.raw_data())
                    : std::vector<int64_t>(t.int64_data().begin(), t.int64_data().end());
      break;
    case onnx::TensorProto_DataType_INT32: {
      out.dtype = DType::I32;
      check_count(t.int32_data_size(), 4);
      std::vector<int32_t> d = raw ? read_raw<int32_t>(t.raw_data())
                                   : std::vector<int32_t>(t.int32_data().begin(),
                                                          t.int32_data().end());
      out.i64.assign(d.begin(), d.end());
      break;
    }
    case onnx::TensorProto_DataType_INT8:
    case onnx::TensorProto_DataType_UINT8: {
      const bool u = t.data_type() == onnx::TensorProto_DataType_UINT8;
      out.dtype = u ? DType::U8 : DType::I8;
      check_count(t.int32_data_size(), 1);
      if (raw) {
        for (char c : t.raw_data())
          out.i64.push_back(u ? int64_t{static_cast<uint8_t>(c)} : int64_t{static_cast<int8_t>(c)});
      } else {
        for (int32_t v : t.int32_data()) out.i64.push_back(graph::wrap_int(out.dtype, v));
      }
      break;
    }
    case onnx::TensorProto_DataType_BOOL:
      out.dtype = DType::Bool;
      check_count(t.int32_data_size(), 1);
      if (raw) {
        for (char c : t.raw_data()) out.i64.push_back(c != 0);
      } else {
        for (int32_t v : t.int32_data()) out.i64.push_back(v != 0);
      }
      break;
    case onnx::TensorProto_DataType_UINT32: {
      out.dtype = DType::U32;
      check_count(t.uint64_data_size(), 4);
      if (raw) {
        for (uint32_t v : read_raw<uint32_t>(t.raw_data())) out.i64.push_back(v);
      } else {
        for (uint64_t v : t.uint64_data()) out.i64.push_back(static_cast<uint32_t>(v));
      }
      break;
    }
    case onnx::TensorProto_DataType_UINT64: {
      out.dtype = DType::U64;
      check_count(t.uint64_data_size(), 8);
      std::vector<uint64_t> d = raw ? read_raw<uint64_t>(t.raw_data())
                                    : std::vector<uint64_t>(t.uint64_data().begin(),
                                                            t.uint64_data().end());
      for (uint64_t v : d) out.i64.push_back(static_cast<int64_t>(v));
      break;
    }
    default:
      user_error(what, " has data type ", elem_type_name(t.data_type()),
                 "; swtc supports FLOAT, INT64, INT32, INT8, UINT8, UINT32, UINT64 and BOOL "
                 "(DOUBLE is converted to FLOAT)");
  }
  return out;
}

class Importer {
 public:
  Importer(onnx::ModelProto &m, std::string model_name, BeforeShapes before_shapes = {},
           InputShapes shapes = {})
      : m_(m), model_name_(std::move(model_name)), before_shapes_(std::move(before_shapes)),
        shapes_(std::move(shapes)) {}

  Graph run() {
    if (!m_.has_graph()) user_error("model '", printable(model_name_), "' has no graph");
    read_opset();
    check_ops_supported();
    const onnx::GraphProto &gp = m_.graph();
    g_.name = gp.name().empty() ? model_name_ : gp.name();
    g_.opset = opset_;
    if (gp.sparse_initializer_size() > 0)
      user_error("model '", printable(model_name_), "': sparse initializers are not supported");
    for (const onnx::TensorProto &t : gp.initializer()) add_initializer(t);
    bind_given_shapes(gp);
    for (const onnx::ValueInfoProto &vi : gp.input()) add_input(vi);
    for (int i = 0; i < gp.node_size(); ++i) add_node(gp.node(i), i);
    for (const onnx::ValueInfoProto &vi : gp.output()) {
      auto it = ids_.find(vi.name());
      if (it == ids_.end())
        user_error("model '", printable(model_name_), "': graph output '", printable(vi.name()),
                   "' is never defined");
      for (int o : g_.outputs)
        if (o == it->second)
          user_error("model '", printable(model_name_), "': graph output '", printable(vi.name()),
                     "' is listed twice");
      g_.outputs.push_back(it->second);
    }
    if (g_.outputs.empty())
      user_error("model '", printable(model_name_), "' has no graph outputs (nothing to compute)");
    if (before_shapes_) before_shapes_(g_);
    graph::infer_shapes(g_);
    graph::verify(g_);
    // onnx's checker runs last, as a final guard: swtc's own checks above give
    // more precise messages for the problems they know about.
    run_checker();
    return std::move(g_);
  }

 private:
  void read_opset() {
    bool found = false;
    for (const onnx::OperatorSetIdProto &o : m_.opset_import()) {
      if (o.domain().empty() || o.domain() == "ai.onnx") {
        opset_ = static_cast<int>(o.version());
        found = true;
      }
    }
    if (!found)
      user_error("model '", printable(model_name_), "' does not import the default ONNX opset: not supported");
    // Opsets 1 to 6: converted to kMinOpset (legacy_opset.h) or refused
    // naming the first node that cannot be; the graph keeps the model's
    // opset number for messages (opsets 1 to 7 read the same afterwards).
    if (opset_ >= 1 && opset_ < kMinOpset) return upgrade_legacy_opset(m_, opset_, model_name_);
    if (opset_ < kMinOpset || opset_ > kMaxOpset)
      user_error("model '", printable(model_name_), "' uses opset ", opset_,
                 ": not supported (swtc supports opsets ", kMinOpset, " to ", kMaxOpset, ")");
  }

  static std::string node_name(const onnx::NodeProto &n, int index) {
    return n.name().empty() ? str_cat(n.op_type(), "_", index) : n.name();
  }

  void check_ops_supported() const {
    const onnx::GraphProto &gp = m_.graph();
    for (int i = 0; i < gp.node_size(); ++i) {
      const onnx::NodeProto &n = gp.node(i);
      bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
      if (!default_domain || !graph::op_from_name(n.op_type()))
        user_error("node '", printable(node_name(n, i)), "' (", printable(n.op_type()), ", opset ", opset_,
                   "): not supported");
    }
  }

  void run_checker() {
    // The checker insists on a graph name; an unnamed graph is named after the model.
    if (m_.graph().name().empty()) m_.mutable_graph()->set_name(model_name_);
    try {
      onnx::checker::check_model(m_);
    } catch (const std::exception &e) {
      user_error("model '", printable(model_name_), "' is not a valid ONNX model: ", one_line(e.what()));
    }
  }

  int define(Value v, const std::string &what) {
    if (v.name.empty()) user_error("model '", printable(model_name_), "': ", what, " has an empty name");
    if (ids_.count(v.name))
      user_error("model '", printable(model_name_), "': ", what, " '", printable(v.name), "' is defined twice");
    std::string name = v.name;
    int id = g_.add_value(std::move(v));
    ids_[name] = id;
    return id;
  }

  void add_initializer(const onnx::TensorProto &t) {
    Value v;
    v.name = t.name();
    v.constant = tensor_from_proto(t, str_cat("initializer '", printable(t.name()), "'"));
    v.dtype = v.constant->dtype;
    v.shape = v.constant->shape;
    v.has_shape = true;
    define(std::move(v), "initializer");
  }

  void add_input(const onnx::ValueInfoProto &vi) {
    if (ids_.count(vi.name()) && g_.values[ids_[vi.name()]].constant) return;  // an initializer
    const std::string &name = vi.name();
    const std::string pname = printable(name);
    if (!vi.type().has_tensor_type())
      user_error("input '", pname, "' is not a tensor; swtc supports tensor inputs only");
    const onnx::TypeProto_Tensor &tt = vi.type().tensor_type();
    Value v;
    v.name = name;
    static const std::pair<int32_t, DType> kInputTypes[] = {
        {onnx::TensorProto_DataType_FLOAT, DType::F32}, {onnx::TensorProto_DataType_INT64, DType::I64},
        {onnx::TensorProto_DataType_INT32, DType::I32}, {onnx::TensorProto_DataType_INT8, DType::I8},
        {onnx::TensorProto_DataType_UINT8, DType::U8},  {onnx::TensorProto_DataType_UINT32, DType::U32},
        {onnx::TensorProto_DataType_UINT64, DType::U64}, {onnx::TensorProto_DataType_BOOL, DType::Bool}};
    bool known_type = false;
    for (const auto &[onnx_type, dt] : kInputTypes)
      if (tt.elem_type() == onnx_type) {
        v.dtype = dt;
        known_type = true;
      }
    if (!known_type)
      user_error("input '", pname, "' has data type ", elem_type_name(tt.elem_type()),
                 "; swtc supports FLOAT, INT64, INT32, INT8, UINT8, UINT32, UINT64 and BOOL inputs");
    const std::string hint =
        str_cat("; give its shape with --shape ", pname, "=D0,D1,... (compile, run, profile)");
    if (const std::vector<int64_t> *given = given_shape(name)) {
      v.shape = *given;  // checked against the model's dims by bind_given_shapes
    } else {
      if (!tt.has_shape()) user_error("input '", pname, "' has no shape", hint);
      for (int k = 0; k < tt.shape().dim_size(); ++k) {
        const onnx::TensorShapeProto_Dimension &d = tt.shape().dim(k);
        if (d.has_dim_value() && d.dim_value() >= 0) {
          v.shape.push_back(d.dim_value());
        } else if (d.has_dim_param() && params_.count(d.dim_param())) {
          v.shape.push_back(params_.at(d.dim_param()).first);
        } else if (d.has_dim_param()) {
          user_error("input '", pname, "' has a symbolic dimension '", printable(d.dim_param()),
                     "' (dim #", k, ")", hint);
        } else {
          user_error("input '", pname, "' has an unknown dimension #", k, hint);
        }
      }
    }
    graph::check_tensor_shape(v.shape, v.dtype, str_cat("input '", pname, "'"));
    v.has_shape = true;
    g_.inputs.push_back(define(std::move(v), "input"));
  }

  const std::vector<int64_t> *given_shape(const std::string &name) const {
    for (const auto &[n, shape] : shapes_)
      if (n == name) return &shape;
    return nullptr;
  }

  /// Checks each --shape against its input's declared dims and binds the
  /// symbolic dims it gives (params_), before any input is defined.
  void bind_given_shapes(const onnx::GraphProto &gp) {
    for (size_t i = 0; i < shapes_.size(); ++i) {
      const auto &[name, shape] = shapes_[i];
      const std::string pname = printable(name);
      const std::string flag = str_cat("--shape ", pname, "=", ints_text(shape));
      for (size_t j = 0; j < i; ++j)
        if (shapes_[j].first == name) user_error("--shape: input '", pname, "' is given twice");
      const onnx::ValueInfoProto *vi = nullptr;
      for (const onnx::ValueInfoProto &in : gp.input())
        if (in.name() == name && !(ids_.count(name) && g_.values[ids_.at(name)].constant))
          vi = &in;
      if (!vi) user_error(flag, ": the model has no input named '", pname, "'");
      for (int64_t d : shape)
        if (d < 0) user_error(flag, ": dimensions must be non-negative");
      if (!vi->type().has_tensor_type() || !vi->type().tensor_type().has_shape()) continue;
      const onnx::TensorShapeProto &sp = vi->type().tensor_type().shape();
      if (sp.dim_size() != static_cast<int>(shape.size()))
        user_error(flag, ": ", shape.size(), " dimensions, but input '", pname, "' has rank ",
                   sp.dim_size());
      for (int k = 0; k < sp.dim_size(); ++k) {
        const onnx::TensorShapeProto_Dimension &d = sp.dim(k);
        const int64_t want = shape[static_cast<size_t>(k)];
        if (d.has_dim_value() && d.dim_value() >= 0 && d.dim_value() != want)
          user_error(flag, ": dim #", k, " of input '", pname, "' is fixed to ", d.dim_value(),
                     " in the model");
        if (!d.has_dim_param()) continue;
        auto [it, fresh] = params_.insert({d.dim_param(), {want, name}});
        if (!fresh && it->second.first != want)
          user_error("--shape: symbolic dimension '", printable(d.dim_param()), "' is ",
                     it->second.first, " for input '", printable(it->second.second), "' but ",
                     want, " for input '", pname, "'");
      }
    }
  }

  static std::string ints_text(const std::vector<int64_t> &v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
  }

  AttrValue convert_attr(const onnx::AttributeProto &a, const std::string &who) const {
    switch (a.type()) {
      case onnx::AttributeProto_AttributeType_INT: return static_cast<int64_t>(a.i());
      case onnx::AttributeProto_AttributeType_FLOAT: return a.f();
      case onnx::AttributeProto_AttributeType_STRING: return a.s();
      case onnx::AttributeProto_AttributeType_INTS:
        return std::vector<int64_t>(a.ints().begin(), a.ints().end());
      case onnx::AttributeProto_AttributeType_FLOATS:
        return std::vector<float>(a.floats().begin(), a.floats().end());
      case onnx::AttributeProto_AttributeType_TENSOR:
        return tensor_from_proto(a.t(), str_cat(who, ": attribute '", printable(a.name()), "'"));
      default:
        user_error(who, ": attribute '", printable(a.name()), "' has type ",
                   onnx::AttributeProto_AttributeType_Name(a.type()),
                   ", which swtc does not support");
    }
  }

  void add_node(const onnx::NodeProto &np, int index) {
    Node n;
    n.name = node_name(np, index);
    n.op = *graph::op_from_name(np.op_type());
    std::string who = str_cat("node '", printable(n.name), "' (", printable(np.op_type()), ")");
    for (const std::string &in : np.input()) {
      if (in.empty()) {
        n.inputs.push_back(-1);
        continue;
      }
      auto it = ids_.find(in);
      if (it == ids_.end())
        user_error(who, ": input '", printable(in),
                   "' is not defined before use (not a graph input, initializer or earlier "
                   "node output)");
      n.inputs.push_back(it->second);
    }
    while (!n.inputs.empty() && n.inputs.back() < 0) n.inputs.pop_back();
    int outs = np.output_size();
    while (outs > 0 && np.output(outs - 1).empty()) --outs;  // omitted optional outputs
    for (int k = 0; k < outs; ++k) {
      if (np.output(k).empty())
        user_error(who, ": omitted output #", k, " before a present one is not supported");
      Value v;
      v.name = np.output(k);
      v.producer = static_cast<int>(g_.nodes.size());
      n.outputs.push_back(define(std::move(v), str_cat(who, " output")));
    }
    for (const onnx::AttributeProto &a : np.attribute()) {
      if (!a.ref_attr_name().empty())
        user_error(who, ": attribute '", printable(a.name()), "' refers to a function attribute");
      n.attrs[a.name()] = convert_attr(a, who);
    }
    g_.nodes.push_back(std::move(n));
  }

  onnx::ModelProto &m_;
  std::string model_name_;
  int opset_ = 0;
  Graph g_;
  std::unordered_map<std::string, int> ids_;
  BeforeShapes before_shapes_;
  InputShapes shapes_;
  std::map<std::string, std::pair<int64_t, std::string>> params_;  // dim_param -> value, input
};

}  // namespace

graph::Graph import_onnx_bytes(const std::string &bytes, const std::string &model_name,
                               const InputShapes &shapes) {
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes))
    user_error("cannot read model '", model_name,
               "': not a valid ONNX file (protobuf parsing failed)");
  return Importer(m, model_name, {}, shapes).run();
}

graph::Graph import_onnx_file(const std::string &path, const BeforeShapes &before_shapes,
                              const InputShapes &shapes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) user_error("cannot open ONNX file '", path, "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) user_error("cannot read ONNX file '", path, "'");
  std::string stem = std::filesystem::path(path).stem().string();
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes))
    user_error("cannot read ONNX file '", path, "': not a valid ONNX model (protobuf parsing failed)");
  return Importer(m, stem, before_shapes, shapes).run();
}

}  // namespace swtc::frontend
