#include "frontend/onnx/legacy_opset.h"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "common/error.h"

namespace swtc::frontend {

namespace {

constexpr int kTargetOpset = 7;

using Dims = std::vector<int64_t>;  // -1: an unknown dimension

std::string dims_str(const Dims &d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + (d[i] < 0 ? "?" : std::to_string(d[i]));
  return s + "]";
}

/// The shapes ONNX's own shape inference finds for the model at its old
/// opset (graph inputs, initializers, inferred values). Only ranks and dims
/// that it knows; a failure of inference leaves values out.
std::unordered_map<std::string, Dims> known_shapes(const onnx::ModelProto &m) {
  onnx::ModelProto copy = m;
  try {
    onnx::shape_inference::InferShapes(copy);
  } catch (const std::exception &) {
    // Partial knowledge is fine: a conversion that needs a missing shape says so.
  }
  std::unordered_map<std::string, Dims> out;
  auto add = [&](const onnx::ValueInfoProto &vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
    Dims d;
    for (const auto &x : vi.type().tensor_type().shape().dim())
      d.push_back(x.has_dim_value() && x.dim_value() >= 0 ? x.dim_value() : -1);
    out[vi.name()] = std::move(d);
  };
  const onnx::GraphProto &g = copy.graph();
  for (const auto &vi : g.input()) add(vi);
  for (const auto &vi : g.value_info()) add(vi);
  for (const auto &vi : g.output()) add(vi);
  for (const auto &t : g.initializer()) out[t.name()] = Dims(t.dims().begin(), t.dims().end());
  return out;
}

bool all_known(const Dims &d) {
  return std::all_of(d.begin(), d.end(), [](int64_t x) { return x >= 0; });
}

class Upgrader {
 public:
  Upgrader(onnx::ModelProto &m, int opset, std::string model)
      : m_(m), opset_(opset), model_(std::move(model)) {}

  void run() {
    shapes_ = known_shapes(m_);
    onnx::GraphProto &g = *m_.mutable_graph();
    for (const auto &t : g.initializer()) names_.insert(t.name());
    for (const auto &vi : g.input()) names_.insert(vi.name());
    for (const auto &n : g.node()) {
      names_.insert(n.name());
      for (const auto &s : n.input()) names_.insert(s);
      for (const auto &s : n.output()) names_.insert(s);
    }
    for (int i = 0; i < g.node_size(); ++i) {
      onnx::NodeProto n = g.node(i);
      // The importer names an unnamed node after its index: keep the names
      // the original model's node order gives, whatever is inserted.
      if (n.name().empty()) n.set_name(str_cat(n.op_type(), "_", i));
      node_ = &n;
      if (!(n.domain().empty() || n.domain() == "ai.onnx")) {  // the importer names it
        *out_.Add() = std::move(n);
        continue;
      }
      const auto *old_def = onnx::OpSchemaRegistry::Schema(n.op_type(), opset_, "");
      const auto *new_def = onnx::OpSchemaRegistry::Schema(n.op_type(), kTargetOpset, "");
      if (!old_def) refuse(n.op_type(), " does not exist at opset ", opset_);
      if (!new_def) refuse(n.op_type(), " does not exist at opset ", kTargetOpset);
      if (old_def->SinceVersion() != new_def->SinceVersion()) {
        convert(n, *old_def, *new_def);
        same_shape_as_a(n);
      }
      *out_.Add() = std::move(n);
    }
    g.mutable_node()->Swap(&out_);
    for (auto &o : *m_.mutable_opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") o.set_version(kTargetOpset);
  }

 private:
  template <typename... Args>
  [[noreturn]] void refuse(const Args &...why) const {
    user_error("model '", printable(model_), "' uses opset ", opset_, ": not supported: node '",
               printable(node_->name()), "' (", printable(node_->op_type()), ", opset ", opset_,
               "): ", printable(str_cat(why...)), " (swtc converts opsets 1 to 6 to opset ",
               kTargetOpset, " where an op's old attributes have a clear meaning)");
  }

  /// ONNX has no shape inference for many opset-1 schemas: the output of an
  /// old op whose result has its first input's shape (elementwise, the old
  /// broadcast ops: "same dimensions as A") gets that shape if unknown.
  void same_shape_as_a(const onnx::NodeProto &n) {
    static const std::set<std::string> kLikeA = {
        "Add", "Sub", "Mul", "Div", "Pow", "Abs", "Ceil", "Clip", "Elu", "Exp", "Floor",
        "HardSigmoid", "LeakyRelu", "Log", "Neg", "Reciprocal", "Relu", "Selu", "Sigmoid",
        "Sqrt", "Tanh", "PRelu", "Dropout", "BatchNormalization", "InstanceNormalization",
        "Max", "Min", "Mean", "Sum"};
    if (!kLikeA.count(n.op_type()) || n.input_size() < 1 || n.output_size() < 1) return;
    const std::string &a = n.input(0);
    if (shapes_.count(n.output(0)) || !shapes_.count(a)) return;
    // The input may have been renamed to an Unsqueeze output; A never is.
    shapes_[n.output(0)] = shapes_.at(a);
  }

  static const onnx::AttributeProto *attr(const onnx::NodeProto &n, const std::string &name) {
    for (const auto &a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }

  static void drop(onnx::NodeProto &n, const std::string &name) {
    auto *as = n.mutable_attribute();
    for (int i = as->size(); i-- > 0;)
      if (as->Get(i).name() == name) as->DeleteSubrange(i, 1);
  }

  std::optional<int64_t> int_attr(const onnx::NodeProto &n, const std::string &name) const {
    const onnx::AttributeProto *a = attr(n, name);
    if (!a) return std::nullopt;
    if (a->type() != onnx::AttributeProto_AttributeType_INT)
      refuse("attribute '", name, "' is not an INT");
    return a->i();
  }

  const Dims *shape(const std::string &value) const {
    auto it = shapes_.find(value);
    return it == shapes_.end() ? nullptr : &it->second;
  }

  std::string fresh(const std::string &base) {
    std::string s = base;
    for (int k = 1; names_.count(s); ++k) s = str_cat(base, "_", k);
    names_.insert(s);
    return s;
  }

  /// Input `k` of `n` through an Unsqueeze adding unit axes `axes`.
  void unsqueeze(onnx::NodeProto &n, int k, const std::vector<int64_t> &axes) {
    onnx::NodeProto u;
    u.set_op_type("Unsqueeze");
    u.set_name(fresh(n.name() + "/legacy_unsqueeze"));
    u.add_input(n.input(k));
    const std::string out = fresh(n.input(k) + "/legacy_unsqueezed");
    u.add_output(out);
    onnx::AttributeProto *a = u.add_attribute();
    a->set_name("axes");
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (int64_t x : axes) a->add_ints(x);
    *out_.Add() = std::move(u);
    n.set_input(k, out);
  }

  void convert(onnx::NodeProto &n, const onnx::OpSchema &old_def, const onnx::OpSchema &new_def) {
    static const std::set<std::string> kBroadcast = {"Add", "Sub",     "Mul",    "Div",
                                                     "Pow", "And",     "Or",     "Xor",
                                                     "Equal", "Greater", "Less"};
    // Ops whose old version differs only in `consumed_inputs` (same other
    // attributes and defaults: checked against ONNX's schemas).
    static const std::set<std::string> kConsumedOnly = {
        "Abs", "Ceil", "Clip", "Elu",  "Exp",        "Floor", "HardSigmoid", "InstanceNormalization",
        "LeakyRelu", "Log", "Max", "Mean", "Min", "Neg", "Reciprocal", "Relu", "Sigmoid",
        "Sqrt", "Sum", "Tanh"};
    const std::string &op = n.op_type();
    const int since = old_def.SinceVersion();
    drop(n, "consumed_inputs");
    if (kBroadcast.count(op)) return broadcast(n);
    if (op == "Gemm") return gemm(n);
    if (op == "BatchNormalization" || op == "Dropout") return test_mode(n);
    if (op == "PRelu") return prelu(n);
    if (op == "AveragePool" && since == 1) return;  // count_include_pad=0, as opset 7's default
    if (op == "Pad" && since == 1) {
      auto *as = n.mutable_attribute();
      for (auto &a : *as)
        if (a.name() == "paddings") a.set_name("pads");
      return;
    }
    if (op == "Reshape" && since == 1) return reshape(n);
    if (op == "Concat" && since == 1) {
      if (!attr(n, "axis")) {  // "Default value is 1" at opset 1, required from 4
        onnx::AttributeProto *a = n.add_attribute();
        a->set_name("axis");
        a->set_type(onnx::AttributeProto_AttributeType_INT);
        a->set_i(1);
      }
      return;
    }
    if (op == "Selu" && since == 1) {  // opset 1's defaults differ from opset 6's
      for (const char *name : {"alpha", "gamma"})
        if (!attr(n, name)) *n.add_attribute() = old_def.attributes().at(name).default_value;
      return;
    }
    if (kConsumedOnly.count(op)) return;
    refuse(op, "'s definition at opset ", opset_, " (since version ", since,
           ") differs from opset ", kTargetOpset, "'s (since version ", new_def.SinceVersion(),
           ") and swtc has no conversion for it");
  }

  /// Old limited broadcast: B's shape is a contiguous run of A's dims
  /// starting at `axis` (default: suffix), or B has one element.
  void broadcast(onnx::NodeProto &n) {
    const int64_t on = int_attr(n, "broadcast").value_or(0);
    const std::optional<int64_t> axis = int_attr(n, "axis");
    drop(n, "broadcast");
    drop(n, "axis");
    if (n.input_size() != 2) return;  // the checker names it
    const Dims *a = shape(n.input(0)), *b = shape(n.input(1));
    if (!on) {
      if (a && b && all_known(*a) && all_known(*b) && *a != *b)
        refuse("without broadcast=1 both operands must have one shape, got ", dims_str(*a),
               " and ", dims_str(*b));
      return;
    }
    if (!a || !b)
      refuse("broadcast=1 needs the ranks of both operands, which ONNX shape inference could "
             "not find");
    const int64_t ra = static_cast<int64_t>(a->size()), rb = static_cast<int64_t>(b->size());
    if (rb > ra) refuse("B ", dims_str(*b), " has a higher rank than A ", dims_str(*a));
    if (std::all_of(b->begin(), b->end(), [](int64_t d) { return d == 1; }))
      return;  // one element: numpy broadcasting means the same
    const int64_t start = axis ? *axis : ra - rb;
    if (start < 0 || start + rb > ra)
      refuse("broadcast axis=", start, " does not place B ", dims_str(*b), " inside A ",
             dims_str(*a));
    for (int64_t k = 0; k < rb; ++k) {
      const int64_t want = (*a)[static_cast<size_t>(start + k)], got = (*b)[static_cast<size_t>(k)];
      if (want >= 0 && got >= 0 && want != got)
        refuse("B ", dims_str(*b), " is not A ", dims_str(*a), "'s dims from axis ", start,
               " (the old broadcast rule has no 1-dim expansion)");
    }
    std::vector<int64_t> axes;
    for (int64_t k = rb; k < ra - start; ++k) axes.push_back(k);
    if (!axes.empty()) unsqueeze(n, 1, axes);
  }

  void gemm(onnx::NodeProto &n) {
    const int64_t on = int_attr(n, "broadcast").value_or(0);
    drop(n, "broadcast");
    if (on || n.input_size() < 3 || n.output_size() < 1) return;
    const Dims *c = shape(n.input(2)), *y = shape(n.output(0));
    if (c && y && all_known(*c) && all_known(*y) && *c != *y)
      refuse("without broadcast=1, C ", dims_str(*c), " must have the output's shape ",
             dims_str(*y));
  }

  void test_mode(onnx::NodeProto &n) {
    const int64_t is_test = int_attr(n, "is_test").value_or(0);
    if (!is_test)
      refuse("is_test=0 (training mode) is not supported: swtc compiles inference (is_test=1)");
    drop(n, "is_test");
    if (n.op_type() == "BatchNormalization")
      for (int k = 1; k < n.output_size(); ++k)
        if (!n.output(k).empty())
          refuse("output #", k, " (a training-mode statistic) in test mode");
  }

  /// Opset 6: "If Slope is of size 1, the value is shared across different
  /// channels"; otherwise one slope per channel (axis 1).
  void prelu(onnx::NodeProto &n) {
    if (n.input_size() != 2) return;
    const Dims *x = shape(n.input(0)), *s = shape(n.input(1));
    if (!x || !s) refuse("needs the shapes of X and slope, which ONNX shape inference could not find");
    if (std::all_of(s->begin(), s->end(), [](int64_t d) { return d == 1; }) && s->size() <= x->size())
      return;
    if (all_known(*x) && *s == *x) return;
    if (s->size() == 1 && x->size() >= 2 && (*s)[0] >= 0 && (*s)[0] == (*x)[1]) {
      std::vector<int64_t> axes;
      for (size_t k = 1; k + 1 < x->size(); ++k) axes.push_back(static_cast<int64_t>(k));
      if (!axes.empty()) unsqueeze(n, 1, axes);
      return;
    }
    refuse("slope ", dims_str(*s), " for X ", dims_str(*x), ": opset ", opset_,
           " defines a slope of size 1 (shared) or one per channel (X's axis 1)");
  }

  /// Opset 1's `shape` attribute becomes a Constant node's INT64 output (a
  /// Constant, not an initializer: an IR-3 model lists every initializer
  /// among its graph inputs).
  void reshape(onnx::NodeProto &n) {
    const onnx::AttributeProto *a = attr(n, "shape");
    if (!a || a->type() != onnx::AttributeProto_AttributeType_INTS)
      refuse("opset-1 Reshape needs its INTS attribute 'shape'");
    onnx::NodeProto c;
    c.set_op_type("Constant");
    c.set_name(fresh(n.name() + "/legacy_shape"));
    const std::string out = fresh(n.name() + "/legacy_shape_value");
    c.add_output(out);
    onnx::AttributeProto *v = c.add_attribute();
    v->set_name("value");
    v->set_type(onnx::AttributeProto_AttributeType_TENSOR);
    onnx::TensorProto *t = v->mutable_t();
    t->set_data_type(onnx::TensorProto_DataType_INT64);
    t->add_dims(a->ints_size());
    for (int64_t x : a->ints()) t->add_int64_data(x);
    drop(n, "shape");
    while (n.input_size() > 1) n.mutable_input()->RemoveLast();
    n.add_input(out);
    *out_.Add() = std::move(c);
  }

  onnx::ModelProto &m_;
  int opset_;
  std::string model_;
  std::unordered_map<std::string, Dims> shapes_;
  std::set<std::string> names_;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> out_;
  const onnx::NodeProto *node_ = nullptr;
};

}  // namespace

void upgrade_legacy_opset(onnx::ModelProto &m, int opset, const std::string &model_name) {
  Upgrader(m, opset, model_name).run();
}

}  // namespace swtc::frontend
