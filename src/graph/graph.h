// The graph IR: a typed dataflow graph of ONNX-level ops.
//
// Values (tensors) and nodes live in flat vectors and refer to each other by
// index. `nodes` is kept in topological order. A value with `constant` set is
// an initializer (weights, folded constants). Every value has a static shape
// after shape inference (swtc compiles for static shapes only).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace swtc::graph {

enum class OpKind {
#define X(kind, name) kind,
#include "graph/ops.def"
#undef X
};

/// ONNX spelling of an op kind.
const char *op_name(OpKind kind);
/// Looks up an ONNX op type; nullopt if swtc does not support it.
std::optional<OpKind> op_from_name(const std::string &onnx_op_type);

/// The Reduce* ops of graph/reduce_ops.def (ReduceMean, ReduceSum, ...,
/// ReduceLogSumExp): one input reduced over static axes with keepdims.
bool is_reduction(OpKind kind);

/// How many inputs (including omitted optional ones, id -1) and outputs a node
/// of this kind may have in swtc (a subset of ONNX: e.g. BatchNormalization in
/// inference form has exactly one output).
struct OpArity {
  int min_inputs, max_inputs, min_outputs, max_outputs;
};
OpArity op_arity(OpKind kind);

/// Element types. F32 and I64 (shapes, axes, indices) are used throughout;
/// the other integer types only by the ops that support them (elementwise
/// Add/Sub/Mul/Div/Pow/Clip, MaxPool, views and copies). Bool (one byte, 0 or
/// 1; NumPy's '|b1') is the output of comparisons and the input and output of
/// the logical ops; is_int counts it. Integer and bool constants keep their
/// values in TensorData::i64.
enum class DType { F32, I64, I32, I8, U8, U32, U64, Bool };
const char *dtype_name(DType t);
bool is_int(DType t);
/// Bytes per element.
int dtype_bytes(DType t);
/// The C99 type of an element ("float", "int64_t", "uint8_t", ...).
const char *dtype_c_type(DType t);
/// NumPy's .npy descr of the type ("<f4", "<i8", "|u1", ...).
const char *dtype_npy(DType t);
/// The DType of a .npy descr; nullopt if none.
std::optional<DType> dtype_from_npy(const std::string &descr);
/// `v` converted to integer type t as C and NumPy do: wrap-around modulo 2^bits
/// (Bool: v != 0).
int64_t wrap_int(DType t, int64_t v);
/// The smallest value of integer type t (0 for unsigned types).
int64_t int_min(DType t);

using Shape = std::vector<int64_t>;
/// The product of the dims; INT64_MAX if it overflows (every shape swtc
/// keeps has been checked by check_tensor_shape, graph/limits.h).
int64_t num_elements(const Shape &s);
std::string shape_str(const Shape &s);  // "[1,3,224,224]"

/// Constant tensor data. f32 for F32, i64 for every integer dtype.
struct TensorData {
  DType dtype = DType::F32;
  Shape shape;
  std::vector<float> f32;
  std::vector<int64_t> i64;
  int64_t size() const { return num_elements(shape); }
};

struct Value {
  std::string name;
  DType dtype = DType::F32;
  Shape shape;
  bool has_shape = false;
  int producer = -1;                   // node index, -1 for inputs / constants
  std::optional<TensorData> constant;  // set for initializers
};

using AttrValue = std::variant<int64_t, float, std::string, std::vector<int64_t>,
                               std::vector<float>, TensorData>;

struct Node {
  std::string name;  // never empty: the importer names unnamed nodes "<OpType>_<index>"
  OpKind op = OpKind::Identity;
  std::vector<int> inputs;   // value ids; -1 for an omitted optional input
  std::vector<int> outputs;  // value ids
  std::map<std::string, AttrValue> attrs;

  bool has_attr(const std::string &key) const { return attrs.count(key) != 0; }
  int64_t attr_int(const std::string &key, int64_t dflt) const;
  float attr_float(const std::string &key, float dflt) const;
  std::vector<int64_t> attr_ints(const std::string &key,
                                 const std::vector<int64_t> &dflt) const;
  std::string attr_string(const std::string &key, const std::string &dflt) const;
};

struct Graph {
  std::string name;
  int opset = 0;  // default-domain opset of the model
  std::vector<Value> values;
  std::vector<Node> nodes;    // topological order
  std::vector<int> inputs;    // graph inputs (non-constant values), value ids
  std::vector<int> outputs;   // graph outputs, value ids

  int add_value(Value v);     // returns its id
  int find_value(const std::string &name) const;  // -1 if absent
  /// "node 'conv1' (Conv)": how errors name a node.
  std::string describe(int node_id) const;
};

}  // namespace swtc::graph
