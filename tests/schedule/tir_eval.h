// Test helper: a tiny tensor-IR interpreter, the oracle for schedule and
// lowering tests. Memory maps each global buffer to its dense float data.
//   - Int/Bool expressions are evaluated exactly in int64 (floor semantics for
//     FloorDiv/FloorMod, C truncation for integer Div); float ones in float.
//   - Every Load/Store is bounds-checked (std::runtime_error on a violation).
//   - Stage: `local` holds global[lo .. lo + local.shape) clamped to global's
//     bounds (local index i <-> global lo + i); it starts as NaN, is filled
//     before the body for In/InOut and copied back (clamped) after for Out/InOut.
// Shared by tests/schedule, tests/lower and tests/target (include dir).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "tir/printer.h"
#include "tir/tir.h"

namespace swtc::test {

using Memory = std::map<const tir::BufferNode *, std::vector<float>>;

class TirEval {
 public:
  explicit TirEval(Memory &mem) : mem_(mem) {}

  int stages_run = 0;       // Stage statements executed
  int64_t stores_run = 0;

  void run(const tir::Stmt &s) {
    using tir::StmtKind;
    switch (s->kind) {
      case StmtKind::For: {
        if (env_.count(s->loop_var)) fail("loop variable " + s->loop_var + " rebound");
        for (int64_t i = 0; i < s->extent; ++i) {
          env_[s->loop_var] = i;
          run(s->inner());
        }
        env_.erase(s->loop_var);
        return;
      }
      case StmtKind::Seq:
        for (const auto &b : s->body) run(b);
        return;
      case StmtKind::Store: {
        std::vector<float> &data = storage(s->buffer);
        int64_t off = offset(s->buffer, s->indices);
        data[off] = static_cast<float>(value(s->value));
        ++stores_run;
        return;
      }
      case StmtKind::IfThen:
        if (ivalue(s->value) != 0) run(s->inner());
        return;
      case StmtKind::Stage: {
        ++stages_run;
        const tir::Buffer &g = s->buffer, &l = s->local;
        if (mem_.count(l.get())) fail("local buffer " + l->name + " staged twice");
        std::vector<int64_t> lo;
        for (const auto &e : s->indices) lo.push_back(ivalue(e));
        mem_[l.get()] = std::vector<float>(l->elements(), std::numeric_limits<float>::quiet_NaN());
        fill_ = s->fill ? value(s->fill) : 0.0;
        if (s->dir != tir::StageDir::Out) copy_box(g, l, lo, true, s->local_order);
        run(s->inner());
        if (s->dir != tir::StageDir::In) copy_box(g, l, lo, false, s->local_order);
        mem_.erase(l.get());
        return;
      }
    }
  }

  /// Value of a float (or any) expression.
  double value(const tir::Expr &e) {
    if (e->type != tir::Type::Float) return static_cast<double>(ivalue(e));
    using tir::ExprKind;
    switch (e->kind) {
      case ExprKind::FloatImm: return static_cast<float>(e->float_value);
      case ExprKind::Load: {
        std::vector<float> &data = storage(e->buffer);
        return data[offset(e->buffer, e->args)];
      }
      case ExprKind::Select: return ivalue(e->args[0]) ? value(e->args[1]) : value(e->args[2]);
      case ExprKind::Call: {
        float a = static_cast<float>(value(e->args.at(0)));
        if (e->name == "sqrtf") return std::sqrt(a);
        if (e->name == "expf") return std::exp(a);
        if (e->name == "tanhf") return std::tanh(a);
        if (e->name == "fabsf") return std::fabs(a);
        if (e->name == "fmodf") return std::fmod(a, static_cast<float>(value(e->args.at(1))));
        if (e->name == "ceilf") return std::ceil(a);
        if (e->name == "floorf") return std::floor(a);
        if (e->name == "erff") return std::erf(a);
        if (e->name == "logf") return std::log(a);
        if (e->name == "log1pf") return std::log1p(a);
        if (e->name == "rintf") return std::nearbyint(a);
        if (e->name == "sinf") return std::sin(a);
        if (e->name == "cosf") return std::cos(a);
        if (e->name == "tanf") return std::tan(a);
        if (e->name == "asinf") return std::asin(a);
        if (e->name == "acosf") return std::acos(a);
        if (e->name == "atanf") return std::atan(a);
        if (e->name == "sinhf") return std::sinh(a);
        if (e->name == "coshf") return std::cosh(a);
        if (e->name == "asinhf") return std::asinh(a);
        if (e->name == "acoshf") return std::acosh(a);
        if (e->name == "atanhf") return std::atanh(a);
        fail("unknown call " + e->name);
      }
      case ExprKind::Binary: {
        float a = static_cast<float>(value(e->args[0])), b = static_cast<float>(value(e->args[1]));
        switch (e->op) {
          case tir::BinaryOp::Add: return a + b;
          case tir::BinaryOp::Sub: return a - b;
          case tir::BinaryOp::Mul: return a * b;
          case tir::BinaryOp::Div: return a / b;
          case tir::BinaryOp::Min: return a < b ? a : b;
          case tir::BinaryOp::Max: return a > b ? a : b;
          default: fail("float operator " + std::string(tir::binary_op_name(e->op)));
        }
      }
      default: fail("float expression " + tir::to_text(e));
    }
  }

  /// Value of an Int or Bool expression.
  int64_t ivalue(const tir::Expr &e) {
    using tir::ExprKind;
    switch (e->kind) {
      case ExprKind::IntImm: return e->int_value;
      case ExprKind::Var: {
        auto it = env_.find(e->name);
        if (it == env_.end()) fail("unbound variable " + e->name);
        return it->second;
      }
      case ExprKind::Select: return ivalue(e->args[0]) ? ivalue(e->args[1]) : ivalue(e->args[2]);
      case ExprKind::Binary: {
        const bool fl = e->args[0]->type == tir::Type::Float || e->args[1]->type == tir::Type::Float;
        if (fl) {  // comparison of floats
          double a = value(e->args[0]), b = value(e->args[1]);
          switch (e->op) {
            case tir::BinaryOp::LT: return a < b;
            case tir::BinaryOp::LE: return a <= b;
            case tir::BinaryOp::EQ: return a == b;
            default: fail("int value of float expression " + tir::to_text(e));
          }
        }
        if (e->op == tir::BinaryOp::And) return ivalue(e->args[0]) && ivalue(e->args[1]);
        int64_t a = ivalue(e->args[0]), b = ivalue(e->args[1]);
        switch (e->op) {
          case tir::BinaryOp::Add: return a + b;
          case tir::BinaryOp::Sub: return a - b;
          case tir::BinaryOp::Mul: return a * b;
          case tir::BinaryOp::Div:
            if (b == 0) fail("division by zero");
            return a / b;
          case tir::BinaryOp::FloorDiv: {
            if (b == 0) fail("division by zero");
            int64_t q = a / b;
            if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
            return q;
          }
          case tir::BinaryOp::FloorMod: {
            if (b == 0) fail("division by zero");
            int64_t r = a % b;
            if (r != 0 && ((r < 0) != (b < 0))) r += b;
            return r;
          }
          case tir::BinaryOp::Min: return a < b ? a : b;
          case tir::BinaryOp::Max: return a > b ? a : b;
          case tir::BinaryOp::LT: return a < b;
          case tir::BinaryOp::LE: return a <= b;
          case tir::BinaryOp::EQ: return a == b;
          case tir::BinaryOp::And: return a && b;
        }
        fail("bad operator");
      }
      default: fail("int value of " + tir::to_text(e));
    }
  }

  void bind(const std::string &v, int64_t x) { env_[v] = x; }

 private:
  [[noreturn]] static void fail(const std::string &what) {
    throw std::runtime_error("tir_eval: " + what);
  }

  std::vector<float> &storage(const tir::Buffer &b) {
    auto it = mem_.find(b.get());
    if (it == mem_.end()) fail("buffer " + b->name + " has no storage (not in scope)");
    if (static_cast<int64_t>(it->second.size()) != b->elements())
      fail("buffer " + b->name + " storage has the wrong size");
    return it->second;
  }

  int64_t offset(const tir::Buffer &b, const std::vector<tir::Expr> &idx) {
    if (idx.size() != b->shape.size()) fail("index count of " + b->name);
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d) {
      int64_t i = ivalue(idx[d]);
      if (i < 0 || i >= b->shape[d])
        fail("index " + std::to_string(i) + " out of bounds in dim " + std::to_string(d) + " of " +
             b->name + " (" + tir::to_text(idx[d]) + ")");
      off = off * b->shape[d] + i;
    }
    return off;
  }

  // Copies the clamped box between g and l (to_local: g -> l).
  /// Copies the box between `g` and `l` (whose dim k is g's dim order[k]):
  /// in, the part past g's bounds is zero (the staging contract the code
  /// generators keep); out, only the part inside them is written.
  void copy_box(const tir::Buffer &g, const tir::Buffer &l, const std::vector<int64_t> &lo,
                bool to_local, std::vector<size_t> order) {
    std::vector<float> &gd = storage(g), &ld = storage(l);
    const size_t rank = l->shape.size();
    if (order.empty())
      for (size_t d = 0; d < rank; ++d) order.push_back(d);
    std::vector<int64_t> box(rank), lstride(rank);
    int64_t st = 1;
    for (size_t k = rank; k-- > 0;) {
      box[order[k]] = l->shape[k];
      lstride[order[k]] = st;
      st *= l->shape[k];
    }
    std::vector<int64_t> it(rank, 0);
    for (int64_t n = 0; n < l->elements(); ++n) {
      int64_t loff = 0, goff = 0;
      bool inside = true;
      for (size_t d = 0; d < rank; ++d) {
        int64_t gi = lo[d] + it[d];
        inside = inside && gi >= 0 && gi < g->shape[d];
        loff += it[d] * lstride[d];
        goff = goff * g->shape[d] + gi;
      }
      if (to_local)
        ld[loff] = inside ? gd[goff] : static_cast<float>(fill_);
      else if (inside)
        gd[goff] = ld[loff];
      for (size_t d = rank; d-- > 0;) {
        if (++it[d] < box[d]) break;
        it[d] = 0;
      }
    }
  }

  Memory &mem_;
  std::map<std::string, int64_t> env_;
  double fill_ = 0;
};

/// Runs f with the given data per parameter (f.params order); returns the
/// memory after the run (parameters by buffer).
inline Memory run_func(const tir::PrimFunc &f, const std::vector<std::vector<float>> &params,
                       int *stages = nullptr) {
  Memory mem;
  for (size_t i = 0; i < f.params.size(); ++i) mem[f.params[i].get()] = params.at(i);
  TirEval ev(mem);
  ev.run(f.body);
  if (stages) *stages = ev.stages_run;
  return mem;
}

}  // namespace swtc::test
