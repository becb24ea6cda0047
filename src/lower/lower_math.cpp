// Elementwise math with numpy broadcasting (Sub, Mul, Div, Pow), unary
// functions (Sqrt, Erf, Exp, Tanh, Sigmoid, Neg, Ceil, Floor, Clip), Expand,
// comparisons and logical ops (bool outputs), Not, Cast, Where.
#include <cfloat>
#include <cmath>

#include "lower/lower_internal.h"

namespace swtc::lower::detail {

using namespace tir;

namespace {
std::vector<std::string> names_for(const graph::Graph &g, int node_id) {
  size_t rank = g.values[g.nodes[node_id].outputs[0]].shape.size();
  std::vector<std::string> names;
  for (size_t d = 0; d < rank; ++d) names.push_back("i" + std::to_string(d));
  return names;
}

Expr input_at(Kernel &k, const graph::Graph &g, int value, const std::string &param) {
  Buffer b = add_input(k, g, value, param);
  return load(b, broadcast_index(k, b->shape));
}
}  // namespace

Kernel lower_binary(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  Kernel k = start_kernel(g, node_id, names_for(g, node_id));
  Expr a = input_at(k, g, n.inputs[0], "a");
  Expr b = input_at(k, g, n.inputs[1], "b");
  const graph::DType t = g.values[n.outputs[0]].dtype;
  const bool signed_int = graph::is_int(t) && graph::int_min(t) < 0;
  // Signed integer +, - and * go through swtc_iadd, swtc_isub and swtc_imul
  // (codegen's integer prelude): unsigned 64-bit arithmetic, so a result
  // outside the type wraps (ONNX Runtime and NumPy wrap; C's signed overflow
  // is undefined behaviour), and the store keeps the type's low bits.
  // Unsigned types wrap in C already; int8 promotes to int and cannot overflow
  // in one operation, but takes the same path as the other signed types.
  auto arith = [&](BinaryOp op, const char *helper) {
    return signed_int ? call(helper, {a, b}, Type::Int) : binary(op, a, b);
  };
  switch (n.op) {
    case graph::OpKind::Add: k.def.value = arith(BinaryOp::Add, "swtc_iadd"); break;
    case graph::OpKind::Sub: k.def.value = arith(BinaryOp::Sub, "swtc_isub"); break;
    case graph::OpKind::Mul: k.def.value = arith(BinaryOp::Mul, "swtc_imul"); break;
    case graph::OpKind::Div:
      // A signed integer quotient goes through swtc_idiv (codegen's integer
      // prelude): INT_MIN / -1 gives INT_MIN (the quotient wrapped, as the
      // reference interpreter does) where C's `/` traps (SIGFPE on x86).
      k.def.value = signed_int ? call("swtc_idiv", {a, b}) : binary(BinaryOp::Div, a, b);
      break;
    case graph::OpKind::Max:
    case graph::OpKind::Min:
      if (n.inputs.size() != 2) internal_error(g.describe(node_id), ": not decomposed");
      // swtc_max / swtc_min compare integers as long, where uint64 above
      // 2^63 would not order: uint64 compares its own C values.
      if (g.values[n.outputs[0]].dtype == graph::DType::U64)
        k.def.value = n.op == graph::OpKind::Max ? select(lt(a, b), b, a) : select(lt(a, b), a, b);
      else
        k.def.value = n.op == graph::OpKind::Max ? max(a, b) : min(a, b);
      break;
    case graph::OpKind::PRelu: k.def.value = select(lt(a, float_imm(0)), a * b, a); break;
    case graph::OpKind::Mod: {
      // fmod = 1: C's fmod / truncated remainder (the dividend's sign); 0
      // (integers only): the divisor's sign. swtc_idiv: no trap on INT_MIN / -1.
      const graph::DType t = g.values[n.outputs[0]].dtype;
      const bool fmod = n.attr_int("fmod", 0) != 0;
      if (t == graph::DType::F32) {
        k.def.value = call("fmodf", {a, b});
      } else if (graph::int_min(t) == 0) {  // unsigned: C's % is the answer either way
        k.def.value = floormod(a, b);
      } else {
        const Expr rem = a - call("swtc_idiv", {a, b}) * b;
        k.def.value = fmod ? rem
                           : select(binary(BinaryOp::EQ, rem, int_imm(0)), rem,
                                    select(binary(BinaryOp::EQ, lt(rem, int_imm(0)), lt(b, int_imm(0))),
                                           rem, rem + b));
      }
      break;
    }
    // Comparisons store 0 / 1 into the bool (uint8_t) output.
    case graph::OpKind::Equal: k.def.value = binary(BinaryOp::EQ, a, b); break;
    case graph::OpKind::Greater: k.def.value = lt(b, a); break;
    case graph::OpKind::Less: k.def.value = lt(a, b); break;
    case graph::OpKind::GreaterOrEqual: k.def.value = le(b, a); break;
    case graph::OpKind::LessOrEqual: k.def.value = le(a, b); break;
    // Bool operands hold 0 or 1.
    case graph::OpKind::And: k.def.value = a * b; break;
    case graph::OpKind::Or: k.def.value = max(a, b); break;
    case graph::OpKind::Xor: k.def.value = select(binary(BinaryOp::EQ, a, b), int_imm(0), int_imm(1)); break;
    case graph::OpKind::Pow: {
      // x^2 and x^0.5 are common (LayerNorm decompositions): keep them exact and cheap.
      const graph::Value &e = g.values[n.inputs[1]];
      if (e.constant && e.constant->size() == 1 && e.constant->dtype == graph::DType::F32 &&
          e.constant->f32[0] == 2.0f) {
        k.def.value = signed_int ? call("swtc_imul", {a, a}, Type::Int) : a * a;
        k.def.inputs.pop_back();
        k.values.pop_back();
      } else {
        // An integer base: pow in double, truncated toward zero to a 64-bit
        // integer (swtc_powi, codegen's integer prelude), wrapped by the store.
        const bool float_base = g.values[n.inputs[0]].dtype == graph::DType::F32;
        k.def.value = call(float_base ? "powf" : "swtc_powi", {a, b});
      }
      break;
    }
    default: internal_error(g.describe(node_id), " is not a binary elementwise op");
  }
  return k;
}

/// Where(c, x, y): x where the bool c is 1, else y (numpy broadcasting).
Kernel lower_where(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  Kernel k = start_kernel(g, node_id, names_for(g, node_id));
  Expr c = input_at(k, g, n.inputs[0], "c");  // (the output buffer is "y")
  Expr a = input_at(k, g, n.inputs[1], "a");
  Expr b = input_at(k, g, n.inputs[2], "b");
  k.def.value = select(binary(BinaryOp::EQ, c, int_imm(0)), b, a);
  k.def.flops_per_point = 0;
  return k;
}

Kernel lower_unary(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  Kernel k = start_kernel(g, node_id, names_for(g, node_id));
  Expr x = input_at(k, g, n.inputs[0], "x");
  // A float attribute of the node, for the unary_ops.def lowering expressions.
  auto attr = [&n](const char *name, float def) { return float_imm(n.attr_float(name, def)); };
  switch (n.op) {
    case graph::OpKind::Relu: k.def.value = max(x, float_imm(0)); break;
    case graph::OpKind::Sqrt: k.def.value = call("sqrtf", {x}); break;
    case graph::OpKind::Erf: k.def.value = call("erff", {x}); break;
    case graph::OpKind::Exp: k.def.value = call("expf", {x}); break;
    case graph::OpKind::Tanh: k.def.value = call("tanhf", {x}); break;
    case graph::OpKind::Sigmoid:
      k.def.value = binary(BinaryOp::Div, float_imm(1), float_imm(1) + call("expf", {float_imm(0) - x}));
      break;
    case graph::OpKind::Neg: k.def.value = float_imm(0) - x; break;
    case graph::OpKind::Ceil: k.def.value = call("ceilf", {x}); break;
    case graph::OpKind::Floor: k.def.value = call("floorf", {x}); break;
    case graph::OpKind::Clip: {
      const float lo = n.attr_float("min", -INFINITY), hi = n.attr_float("max", INFINITY);
      // Integer tensors: integer bounds (the attributes hold them as float).
      const bool ints = x->type == Type::Int;
      auto bound = [&](float b) { return ints ? int_imm(std::llround(b)) : float_imm(b); };
      Expr v = x;
      if (std::isfinite(lo)) v = max(v, bound(lo));
      if (std::isfinite(hi)) v = min(v, bound(hi));
      k.def.value = v;
      break;
    }
    case graph::OpKind::Expand: k.def.value = x; break;
    case graph::OpKind::Not: k.def.value = int_imm(1) - x; break;  // a bool holds 0 or 1
    // NaN is the one value unequal to itself (the generated C is not built
    // with -ffast-math); an infinity is beyond FLT_MAX.
    case graph::OpKind::IsNaN:
      k.def.value = select(binary(BinaryOp::EQ, x, x), int_imm(0), int_imm(1));
      break;
    case graph::OpKind::IsInf: {
      const bool pos = n.attr_int("detect_positive", 1) != 0, neg = n.attr_int("detect_negative", 1) != 0;
      Expr v = int_imm(0);
      if (pos) v = select(lt(float_imm(FLT_MAX), x), int_imm(1), v);
      if (neg) v = select(lt(x, float_imm(-FLT_MAX)), int_imm(1), v);
      k.def.value = v;
      break;
    }
    case graph::OpKind::Cast: {
      // To bool: x != 0. To an integer type: C's conversion (truncation
      // toward zero; the store wraps narrow types). To float: C's conversion.
      const int64_t to = n.attr_int("to", 1);
      if (to == 5 || to == 10 || to == 11)
        not_supported(g, node_id, "cast to ", to == 5 ? "INT16" : to == 10 ? "FLOAT16" : "DOUBLE",
                      " (swtc has no such tensor type)");
      if (to == 9)
        k.def.value = select(binary(BinaryOp::EQ, x, x->type == Type::Float ? float_imm(0) : int_imm(0)),
                             int_imm(0), int_imm(1));
      else
        k.def.value = x;
      break;
    }
#define SWTC_UNARY(kind, name, reference, lowering) \
  case graph::OpKind::kind: k.def.value = (lowering); break;
#include "graph/unary_ops.def"

    default: internal_error(g.describe(node_id), " is not a unary elementwise op");
  }
  return k;
}

}  // namespace swtc::lower::detail
