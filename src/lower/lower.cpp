#include "lower/lower.h"

#include <cctype>

#include "lower/lower_internal.h"
#include "tir/functor.h"

namespace swtc::lower {

using graph::OpKind;
using namespace detail;

namespace {
struct Entry {
  OpKind op;
  LowerFn fn;
  bool ints;  // integer tensors (int8/32/64, uint8/32/64) too, not only float32
};
// The lowering of every op that computes (views are not lowered).
constexpr Entry kLowerings[] = {
    {OpKind::Conv, lower_conv, false},
    {OpKind::MaxPool, lower_pool, true},
    {OpKind::AveragePool, lower_pool, false},
    {OpKind::GlobalAveragePool, lower_global_pool, false},
    {OpKind::Gemm, lower_gemm, false},
    {OpKind::Relu, lower_unary, false},
    {OpKind::Add, lower_binary, true},
    {OpKind::Sub, lower_binary, true},
    {OpKind::Mul, lower_binary, true},
    {OpKind::Div, lower_binary, true},
    {OpKind::Pow, lower_binary, true},
    {OpKind::Max, lower_binary, true},  // two inputs (decompose chains more)
    {OpKind::Min, lower_binary, true},
    {OpKind::PRelu, lower_binary, false},
    {OpKind::Equal, lower_binary, true},  // bool output; float, integer or (Equal) bool inputs
    {OpKind::Greater, lower_binary, true},
    {OpKind::Less, lower_binary, true},
    {OpKind::GreaterOrEqual, lower_binary, true},
    {OpKind::LessOrEqual, lower_binary, true},
    {OpKind::And, lower_binary, true},
    {OpKind::Or, lower_binary, true},
    {OpKind::Xor, lower_binary, true},
    {OpKind::Not, lower_unary, true},
    {OpKind::Cast, lower_unary, true},
    {OpKind::Where, lower_where, true},
    {OpKind::Gather, lower_gather, true},
    {OpKind::GatherElements, lower_gather, true},
    {OpKind::Trilu, lower_trilu, true},
    {OpKind::Mod, lower_binary, true},
    {OpKind::IsInf, lower_unary, true},  // float32 input, bool output
    {OpKind::IsNaN, lower_unary, true},
    {OpKind::Sqrt, lower_unary, false},
    {OpKind::Erf, lower_unary, false},
    {OpKind::Exp, lower_unary, false},
    {OpKind::Tanh, lower_unary, false},
    {OpKind::Sigmoid, lower_unary, false},
    {OpKind::Neg, lower_unary, false},
    {OpKind::Ceil, lower_unary, false},
    {OpKind::Floor, lower_unary, false},
    {OpKind::Clip, lower_unary, true},
#define SWTC_UNARY(kind, ...) {OpKind::kind, lower_unary, false},
#include "graph/unary_ops.def"

    {OpKind::Expand, lower_unary, true},  // copies: any element type
    {OpKind::BatchNormalization, lower_batchnorm, false},
    {OpKind::MatMul, lower_matmul, false},
    {OpKind::Transpose, lower_transpose, true},
    {OpKind::Concat, lower_concat, true},
    {OpKind::Slice, lower_slice, true},
    {OpKind::Pad, lower_pad, true},
    // ReduceLogSumExp is decomposed first (lower_reduce refuses it).
#define SWTC_REDUCE(kind, name) {OpKind::kind, lower_reduce, false},
#include "graph/reduce_ops.def"
    {OpKind::ArgMax, lower_argreduce, true},  // int64 output, float32 input (shape rule)
    {OpKind::ArgMin, lower_argreduce, true},
};

/// Rewrites loads of rank-0 buffers to loads of their rank-1 stand-ins at [0].
class PromoteScalarLoads : public tir::IRMutator {
 public:
  explicit PromoteScalarLoads(std::vector<std::pair<tir::Buffer, tir::Buffer>> map)
      : map_(std::move(map)) {}

 protected:
  tir::Expr mutate_Load(const tir::Expr &e) override {
    for (const auto &[from, to] : map_)
      if (e->buffer == from) return tir::load(to, {tir::int_imm(0)});
    return tir::IRMutator::mutate_Load(e);
  }

 private:
  std::vector<std::pair<tir::Buffer, tir::Buffer>> map_;
};

tir::Expr promote(PromoteScalarLoads &m, const tir::Expr &e) { return e ? m.mutate(e) : e; }

/// A rank-0 tensor (a scalar) has the storage of a one-element tensor: its
/// kernel buffers get shape [1] and the kernel one spatial axis of extent 1,
/// so every schedule and printer sees at least one output loop. The graph
/// (and so the generated header and the runner) keeps the rank-0 shape.
void promote_scalars(Kernel &k) {
  std::vector<std::pair<tir::Buffer, tir::Buffer>> map;
  for (tir::Buffer &b : k.def.inputs)
    if (b->shape.empty()) {
      tir::Buffer nb = tir::make_buffer(b->name, {1}, b->scope, b->elem);
      map.push_back({b, nb});
      b = nb;
    }
  const bool scalar_out = k.def.output->shape.empty();
  if (map.empty() && !scalar_out) return;
  if (scalar_out) {
    const tir::Buffer &o = k.def.output;
    k.def.output = tir::make_buffer(o->name, {1}, o->scope, o->elem);
    std::string name = "s0";
    auto taken = [&](const std::string &n) {
      for (const auto &a : k.def.axes)
        if (a.name == n) return true;
      return false;
    };
    while (taken(name)) name += "_";
    k.def.axes.insert(k.def.axes.begin(), schedule::IterVar{name, 1, false});
  }
  PromoteScalarLoads m(std::move(map));
  k.def.init = promote(m, k.def.init);
  k.def.cond = promote(m, k.def.cond);
  k.def.value = promote(m, k.def.value);
  k.def.epilogue = promote(m, k.def.epilogue);
}
}  // namespace

namespace detail {
bool supports_int(OpKind op) {
  if (op == OpKind::Split) return true;  // copies (lower_node_outputs, not in kLowerings)
  for (const Entry &e : kLowerings)
    if (e.op == op) return e.ints;
  return false;
}

bool supports_bool(OpKind op) {
  switch (op) {
    case OpKind::Equal:
    case OpKind::Greater:
    case OpKind::Less:
    case OpKind::GreaterOrEqual:
    case OpKind::LessOrEqual:
    case OpKind::And:
    case OpKind::Or:
    case OpKind::Xor:
    case OpKind::Not:
    case OpKind::Cast:
    // Copies.
    case OpKind::Transpose:
    case OpKind::Concat:
    case OpKind::Slice:
    case OpKind::Split:
    case OpKind::Expand:
    case OpKind::IsInf:
    case OpKind::IsNaN:
    case OpKind::Where: return true;
    default: return false;
  }
}

tir::Elem elem_of(graph::DType t) { return {graph::dtype_c_type(t), graph::dtype_bytes(t)}; }
}  // namespace detail

bool is_view(OpKind op) {
  return op == OpKind::Flatten || op == OpKind::Reshape || op == OpKind::Identity ||
         op == OpKind::Squeeze || op == OpKind::Unsqueeze || op == OpKind::Dropout;
}

std::string kernel_name(const graph::Graph &g, int node_id) {
  std::string op = graph::op_name(g.nodes[node_id].op);
  for (auto &c : op) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  char idx[16];
  std::snprintf(idx, sizeof idx, "k%03d_", node_id);
  return idx + op;
}

Kernel lower_node(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  SWTC_CHECK(n.op != OpKind::Split, "lower_node on ", g.describe(node_id),
             ": a kernel per output (lower_node_outputs)");
  for (const Entry &e : kLowerings) {
    if (e.op != n.op) continue;
    Kernel k = e.fn(g, node_id);
    k.values.push_back(n.outputs[0]);  // the output is the last parameter
    promote_scalars(k);
    return k;
  }
  detail::not_supported(g, node_id, "no lowering for this op yet");
}

std::vector<Kernel> lower_node_outputs(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  if (n.op != OpKind::Split) return {lower_node(g, node_id)};
  std::vector<Kernel> ks;
  for (size_t t = 0; t < n.outputs.size(); ++t) {
    Kernel k = detail::lower_split(g, node_id, t);
    k.values.push_back(n.outputs[t]);
    promote_scalars(k);
    ks.push_back(std::move(k));
  }
  return ks;
}

Kernel lower_copy(const graph::Graph &g, int from, int to, const std::string &name) {
  int64_t n = graph::num_elements(g.values[to].shape);
  SWTC_CHECK(n == graph::num_elements(g.values[from].shape), "copy between sizes");
  Kernel k;
  k.def.name = name;
  SWTC_CHECK(g.values[to].dtype == g.values[from].dtype, "copy between dtypes");
  const tir::Elem elem = elem_of(g.values[to].dtype);
  k.def.output = tir::make_buffer("y", {n}, tir::Scope::Global, elem);
  k.def.inputs = {tir::make_buffer("x", {n}, tir::Scope::Global, elem)};
  k.def.axes = {{"i", n, false}};
  k.def.value = tir::load(k.def.inputs[0], {tir::var("i")});
  k.def.flops_per_point = 0;
  k.values = {from, to};
  return k;
}

namespace detail {

Kernel start_kernel(const graph::Graph &g, int node_id, const std::vector<std::string> &names,
                    size_t output) {
  const graph::Node &n = g.nodes[node_id];
  const graph::Value &out = g.values[n.outputs.at(output)];
  if (out.dtype != graph::DType::F32 && !supports_int(n.op))
    not_supported(g, node_id, "output type ", graph::dtype_name(out.dtype), " (float32 only)");
  if (out.dtype == graph::DType::Bool && !supports_bool(n.op))
    not_supported(g, node_id, "bool tensors (output '", out.name, "')");
  SWTC_CHECK(names.size() >= out.shape.size(), "axis names for ", g.describe(node_id));
  Kernel k;
  k.node = node_id;
  k.def.name = kernel_name(g, node_id);
  k.def.output = tir::make_buffer("y", out.shape, tir::Scope::Global, elem_of(out.dtype));
  // Use the trailing names so 2-D outputs get e.g. (h, w) -> (i, j) names as given.
  for (size_t d = 0; d < out.shape.size(); ++d)
    k.def.axes.push_back({names[names.size() - out.shape.size() + d], out.shape[d], false});
  return k;
}

tir::Buffer add_input(Kernel &k, const graph::Graph &g, int value, const std::string &param) {
  const graph::Value &v = g.values[value];
  if (v.dtype != graph::DType::F32 && !supports_int(g.nodes[k.node].op))
    not_supported(g, k.node, "input '", v.name, "' has type ", graph::dtype_name(v.dtype),
                  " (float32 only)");
  if (v.dtype == graph::DType::Bool && !supports_bool(g.nodes[k.node].op))
    not_supported(g, k.node, "bool tensors (input '", v.name, "')");
  tir::Buffer b = tir::make_buffer(param, v.shape, tir::Scope::Global, elem_of(v.dtype));
  k.def.inputs.push_back(b);
  k.values.push_back(value);
  return b;
}

Expr add_reduce(Kernel &k, const std::string &name, int64_t extent) {
  k.def.axes.push_back({name, extent, true});
  return tir::var(name);
}

Expr axis(const Kernel &k, size_t d) { return tir::var(k.def.axes.at(d).name); }

std::vector<Expr> broadcast_index(const Kernel &k, const std::vector<int64_t> &in) {
  size_t rank = k.def.output->shape.size();
  SWTC_CHECK(in.size() <= rank, "broadcast rank");
  std::vector<Expr> idx;
  for (size_t d = 0; d < in.size(); ++d) {
    size_t od = rank - in.size() + d;
    idx.push_back(in[d] == 1 ? tir::int_imm(0) : axis(k, od));
  }
  return idx;
}

}  // namespace detail
}  // namespace swtc::lower
