#include "graph/graph.h"

#include <array>
#include <cstdint>

#include "common/error.h"

namespace swtc::graph {

namespace {

struct OpEntry {
  OpKind kind;
  const char *name;
};

constexpr OpEntry kOps[] = {
#define X(kind, name) {OpKind::kind, name},
#include "graph/ops.def"
#undef X
};

}  // namespace

const char *op_name(OpKind kind) {
  for (const OpEntry &e : kOps)
    if (e.kind == kind) return e.name;
  internal_error("op_name: unknown op kind ", static_cast<int>(kind));
}

std::optional<OpKind> op_from_name(const std::string &onnx_op_type) {
  for (const OpEntry &e : kOps)
    if (onnx_op_type == e.name) return e.kind;
  return std::nullopt;
}

bool is_reduction(OpKind kind) {
  switch (kind) {
#define SWTC_REDUCE(kind, name) case OpKind::kind:
#include "graph/reduce_ops.def"
      return true;
    default: return false;
  }
}

OpArity op_arity(OpKind kind) {
  switch (kind) {
#define SWTC_REDUCE(kind, name) case OpKind::kind:
#include "graph/reduce_ops.def"
      return {1, 2, 1, 1};  // axes as an input (opsets 13 / 18)
    case OpKind::Conv: return {2, 3, 1, 1};
    case OpKind::BatchNormalization: return {5, 5, 1, 1};
    case OpKind::Relu: return {1, 1, 1, 1};
    case OpKind::MaxPool: return {1, 1, 1, 1};
    case OpKind::AveragePool: return {1, 1, 1, 1};
    case OpKind::GlobalAveragePool: return {1, 1, 1, 1};
    case OpKind::Add: return {2, 2, 1, 1};
    case OpKind::Flatten: return {1, 1, 1, 1};
    case OpKind::Reshape: return {1, 2, 1, 1};  // 1 input once canonicalized (attr `shape`)
    case OpKind::Gemm: return {2, 3, 1, 1};
    case OpKind::Identity: return {1, 1, 1, 1};
    case OpKind::Constant: return {0, 0, 1, 1};
    // Static parameters given as inputs (newer opsets) become attributes in
    // canonical form, hence the optional trailing inputs.
    case OpKind::Clip: return {1, 3, 1, 1};
    case OpKind::Concat: return {1, 1 << 20, 1, 1};
    case OpKind::Dropout: return {1, 3, 1, 2};  // output, mask (all true: inference only)
    case OpKind::Softmax: return {1, 1, 1, 1};
    case OpKind::MatMul: return {2, 2, 1, 1};
    case OpKind::Transpose: return {1, 1, 1, 1};
    // ArgMax / ArgMin: decomposition adds the ReduceMax / ReduceMin of the
    // input as a second input (graph/passes/decompose.cpp).
    case OpKind::ArgMax:
    case OpKind::ArgMin: return {1, 2, 1, 1};
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Pow:
    case OpKind::Equal:
    case OpKind::Greater:
    case OpKind::Less:
    case OpKind::GreaterOrEqual:
    case OpKind::LessOrEqual:
    case OpKind::And:
    case OpKind::Or:
    case OpKind::Xor: return {2, 2, 1, 1};
    case OpKind::Sqrt:
    case OpKind::Erf:
    case OpKind::Exp:
    case OpKind::Tanh:
    case OpKind::Sigmoid:
    case OpKind::Neg:
    case OpKind::Ceil:
    case OpKind::Floor:
#define SWTC_UNARY(kind, ...) case OpKind::kind:
#include "graph/unary_ops.def"
    case OpKind::Shape:
    case OpKind::Size:
    case OpKind::Not:
    case OpKind::Cast:
    case OpKind::ConstantOfShape: return {1, 1, 1, 1};
    case OpKind::Gather: return {2, 2, 1, 1};
    case OpKind::Unsqueeze:
    case OpKind::Squeeze: return {1, 2, 1, 1};
    case OpKind::Slice: return {1, 5, 1, 1};
    case OpKind::Expand: return {1, 2, 1, 1};
    case OpKind::Where: return {3, 3, 1, 1};
    case OpKind::LayerNormalization: return {2, 3, 1, 3};  // Y, Mean, InvStdDev
    case OpKind::Split: return {1, 2, 1, 1 << 20};
    case OpKind::Max:
    case OpKind::Min:
    case OpKind::Sum:
    case OpKind::Mean: return {1, 1 << 20, 1, 1};
    case OpKind::PRelu: return {2, 2, 1, 1};
    case OpKind::LogSoftmax: return {1, 1, 1, 1};
    case OpKind::Pad: return {1, 4, 1, 1};
    case OpKind::Tile: return {1, 2, 1, 1};
    case OpKind::NegativeLogLikelihoodLoss: return {2, 3, 1, 1};
    case OpKind::SoftmaxCrossEntropyLoss: return {2, 3, 1, 2};  // loss, log_prob
    case OpKind::GatherElements: return {2, 2, 1, 1};
    case OpKind::ScatterND:
    case OpKind::ScatterElements:
    case OpKind::Scatter: return {3, 3, 1, 1};
    case OpKind::Trilu: return {1, 2, 1, 1};
    case OpKind::Mod: return {2, 2, 1, 1};
    case OpKind::IsInf:
    case OpKind::IsNaN:
    case OpKind::DepthToSpace:
    case OpKind::SpaceToDepth:
    case OpKind::GlobalMaxPool:
    case OpKind::Hardmax:
    case OpKind::EyeLike: return {1, 1, 1, 1};
    case OpKind::InstanceNormalization:
    case OpKind::Range: return {3, 3, 1, 1};
    case OpKind::Resize: return {1, 4, 1, 1};  // X, roi, scales, sizes (one: canonical)
    case OpKind::Upsample: return {1, 2, 1, 1};
    case OpKind::ConvTranspose: return {2, 3, 1, 1};
  }
  internal_error("op_arity: unknown op kind ", static_cast<int>(kind));
}

const char *dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::I64: return "i64";
    case DType::I32: return "i32";
    case DType::I8: return "i8";
    case DType::U8: return "u8";
    case DType::U32: return "u32";
    case DType::U64: return "u64";
    case DType::Bool: return "bool";
  }
  internal_error("dtype_name: unknown dtype ", static_cast<int>(t));
}

namespace {
struct DTypeInfo {
  DType t;
  int bytes;
  const char *c_type, *npy;
  bool is_signed;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, 4, "float", "<f4", true},    {DType::I64, 8, "int64_t", "<i8", true},
    {DType::I32, 4, "int32_t", "<i4", true},  {DType::I8, 1, "int8_t", "|i1", true},
    {DType::U8, 1, "uint8_t", "|u1", false},  {DType::U32, 4, "uint32_t", "<u4", false},
    {DType::U64, 8, "uint64_t", "<u8", false},
    {DType::Bool, 1, "uint8_t", "|b1", false},
};
const DTypeInfo &info(DType t) {
  for (const DTypeInfo &i : kDTypes)
    if (i.t == t) return i;
  internal_error("unknown dtype ", static_cast<int>(t));
}
}  // namespace

bool is_int(DType t) { return t != DType::F32; }
int dtype_bytes(DType t) { return info(t).bytes; }
const char *dtype_c_type(DType t) { return info(t).c_type; }
const char *dtype_npy(DType t) { return info(t).npy; }

std::optional<DType> dtype_from_npy(const std::string &descr) {
  for (const DTypeInfo &i : kDTypes)
    if (descr == i.npy) return i.t;
  return std::nullopt;
}

int64_t wrap_int(DType t, int64_t v) {
  const DTypeInfo &i = info(t);
  SWTC_CHECK(t != DType::F32, "wrap_int of f32");
  if (t == DType::Bool) return v != 0;
  if (i.bytes == 8) return v;  // u64 values keep their bit pattern in int64_t
  const int bits = 8 * i.bytes;
  const uint64_t mask = (uint64_t{1} << bits) - 1, u = static_cast<uint64_t>(v) & mask;
  if (!i.is_signed || !(u >> (bits - 1))) return static_cast<int64_t>(u);
  return static_cast<int64_t>(u) - static_cast<int64_t>(uint64_t{1} << bits);
}

int64_t int_min(DType t) {
  const DTypeInfo &i = info(t);
  SWTC_CHECK(t != DType::F32, "int_min of f32");
  if (!i.is_signed) return 0;
  return i.bytes == 8 ? INT64_MIN : -(int64_t{1} << (8 * i.bytes - 1));
}

int64_t num_elements(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    if (__builtin_mul_overflow(n, d, &n)) return INT64_MAX;  // saturate (shapes are checked)
  return n;
}

std::string shape_str(const Shape &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

int64_t Node::attr_int(const std::string &key, int64_t dflt) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return dflt;
  if (const int64_t *v = std::get_if<int64_t>(&it->second)) return *v;
  user_error("node '", name, "' (", op_name(op), "): attribute '", key,
             "' must be an int");
}

float Node::attr_float(const std::string &key, float dflt) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return dflt;
  if (const float *v = std::get_if<float>(&it->second)) return *v;
  if (const int64_t *v = std::get_if<int64_t>(&it->second)) return static_cast<float>(*v);
  user_error("node '", name, "' (", op_name(op), "): attribute '", key,
             "' must be a float");
}

std::vector<int64_t> Node::attr_ints(const std::string &key,
                                     const std::vector<int64_t> &dflt) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return dflt;
  if (const auto *v = std::get_if<std::vector<int64_t>>(&it->second)) return *v;
  user_error("node '", name, "' (", op_name(op), "): attribute '", key,
             "' must be a list of ints");
}

std::string Node::attr_string(const std::string &key, const std::string &dflt) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return dflt;
  if (const auto *v = std::get_if<std::string>(&it->second)) return *v;
  user_error("node '", name, "' (", op_name(op), "): attribute '", key,
             "' must be a string");
}

int Graph::add_value(Value v) {
  values.push_back(std::move(v));
  return static_cast<int>(values.size()) - 1;
}

int Graph::find_value(const std::string &value_name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == value_name) return static_cast<int>(i);
  return -1;
}

std::string Graph::describe(int node_id) const {
  if (node_id < 0 || node_id >= static_cast<int>(nodes.size()))
    return str_cat("node #", node_id);
  const Node &n = nodes[node_id];
  return str_cat("node '", printable(n.name), "' (", op_name(n.op), ")");
}

}  // namespace swtc::graph
