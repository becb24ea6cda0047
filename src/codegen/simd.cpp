#include "codegen/simd.h"

#include "common/error.h"
#include "tir/analysis.h"
#include "tir/functor.h"

namespace swtc::codegen {

using namespace tir;

namespace {

void conjuncts(const Expr &c, std::vector<Expr> &out) {
  if (!c) return;
  if (c->kind == ExprKind::Binary && c->op == BinaryOp::And) {
    conjuncts(c->args[0], out);
    conjuncts(c->args[1], out);
    return;
  }
  out.push_back(c);
}

Expr all_of(const std::vector<Expr> &cs) {
  Expr c;
  for (const auto &x : cs) c = logical_and(c, x);
  return c;
}

Expr flat_expr(const Buffer &b, const std::vector<Expr> &idx) { return flat_offset(b->shape, idx); }

class Vectorizer {
 public:
  Vectorizer(const VectorIsa &spec, const std::string &v, std::map<std::string, int64_t> loops,
             CPrinter &p)
      : spec_(spec), v_(v), loops_(std::move(loops)), p_(p) {}

  /// The LDM address of b[idx] is a multiple of the vector size and moves by
  /// one element per iteration of the loop.
  bool aligned_unit(const Buffer &b, const std::vector<Expr> &idx) const {
    if (b->scope != Scope::Local) return false;
    LinearForm f = linear_form(flat_expr(b, idx), loops_);
    if (!f.ok || f.sym) return false;
    auto it = f.coeffs.find(v_);
    if (it == f.coeffs.end() || it->second != 1) return false;
    for (const auto &[name, k] : f.coeffs)
      if (name != v_ && k % spec_.lanes != 0) return false;
    return f.constant % spec_.lanes == 0;
  }

  /// A vector expression for e, or "" when e cannot be vectorised.
  std::string vec(const Expr &e) {
    if (!uses_var(e, v_)) return broadcast(e);
    switch (e->kind) {
      case ExprKind::Load: {
        if (!e->buffer->elem.is_float()) return gather(e);  // converted lane by lane
        if (e->buffer == store_buf_) {
          if (!equal(flat_expr(e->buffer, e->args), store_flat_)) return "";
        } else if (guard_) {
          return gather(e);
        }
        if (!aligned_unit(e->buffer, e->args)) return gather(e);
        const std::string t = temp("swtc_v");
        pre_.push_back(spec_.type + " " + t + ";");
        pre_.push_back(spec_.load(t, "&" + p_.expr(e)));
        return t;
      }
      case ExprKind::Binary: {
        if (e->type != Type::Float) return gather(e);
        const Expr &a = e->args[0], &b = e->args[1];
        if (e->op == BinaryOp::Add) {
          // a * b + c and c + a * b: one multiply-add.
          for (int side = 0; side < 2; ++side) {
            const Expr &m = side == 0 ? a : b, &c = side == 0 ? b : a;
            if (m->kind == ExprKind::Binary && m->op == BinaryOp::Mul && m->type == Type::Float) {
              std::string x = vec(m->args[0]), y = vec(m->args[1]), z = vec(c);
              if (x.empty() || y.empty() || z.empty()) return "";
              ++ops_;
              return spec_.fma(x, y, z);
            }
          }
        }
        if (e->op != BinaryOp::Add && e->op != BinaryOp::Mul &&
            !(e->op == BinaryOp::Sub && spec_.has_sub))
          return gather(e);
        std::string x = vec(a), y = vec(b);
        if (x.empty() || y.empty()) return "";
        ++ops_;
        return e->op == BinaryOp::Add   ? spec_.add(x, y)
               : e->op == BinaryOp::Mul ? spec_.mul(x, y)
                                        : spec_.sub(x, y);
      }
      default: return gather(e);
    }
  }

  /// `loop`'s body as vector statements, or nullopt.
  std::optional<std::vector<std::string>> body(const Stmt &loop) {
    Stmt st = loop->inner();
    std::vector<Expr> invariant, variant;
    if (st->kind == StmtKind::IfThen) {
      std::vector<Expr> cs;
      conjuncts(st->value, cs);
      for (const auto &c : cs) (uses_var(c, v_) ? variant : invariant).push_back(c);
      st = st->inner();
    }
    if (st->kind != StmtKind::Store || st->buffer->scope != Scope::Local || !st->buffer->elem.is_float() ||
        st->value->type != Type::Float || !aligned_unit(st->buffer, st->indices))
      return std::nullopt;
    store_buf_ = st->buffer;
    store_flat_ = flat_expr(st->buffer, st->indices);
    std::string value;
    if (!variant.empty()) {
      // Only an accumulation by a product: zero factors in the guarded lanes
      // leave the accumulator unchanged, as skipping the update would.
      const Expr &e = st->value;
      if (e->kind != ExprKind::Binary || e->op != BinaryOp::Add) return std::nullopt;
      const Expr &acc = e->args[0], &prod = e->args[1];
      if (acc->kind != ExprKind::Load || acc->buffer != store_buf_ ||
          !equal(flat_expr(acc->buffer, acc->args), store_flat_) || !product_of_loads(prod))
        return std::nullopt;
      std::string a = vec(acc);
      guard_ = all_of(variant);
      // prod is x * y * ...: its outermost multiply becomes the multiply-add.
      if (prod->kind == ExprKind::Binary && prod->op == BinaryOp::Mul && prod->type == Type::Float) {
        std::string x = vec(prod->args[0]), y = vec(prod->args[1]);
        if (a.empty() || x.empty() || y.empty()) return std::nullopt;
        ++ops_;
        value = spec_.fma(x, y, a);
      } else {
        std::string m = vec(prod);
        if (a.empty() || m.empty()) return std::nullopt;
        ++ops_;
        value = spec_.add(m, a);
      }
    } else {
      value = vec(st->value);
    }
    if (value.empty() || ops_ == 0) return std::nullopt;
    std::vector<std::string> out;
    std::string ind;
    if (!invariant.empty()) {
      std::string c = p_.expr(all_of(invariant));
      out.push_back("if " + (c.front() == '(' ? c : "(" + c + ")") + " {");
      ind = "  ";
    }
    for (const auto &l : pre_) out.push_back(ind + l);
    out.push_back(ind + spec_.type + " swtc_r = " + value + ";");
    out.push_back(ind + spec_.store("swtc_r", "&" + p_.expr(load(st->buffer, st->indices))));
    if (!invariant.empty()) out.push_back("}");
    return out;
  }

 private:
  /// e is a product of loads and constants with a factor that depends on the
  /// loop variable (the one zeroed in guarded lanes).
  bool product_of_loads(const Expr &e) const {
    int variant = 0;
    return product_leaves(e, variant) && variant > 0;
  }
  bool product_leaves(const Expr &e, int &variant) const {
    if (e->kind == ExprKind::Binary && e->op == BinaryOp::Mul && e->type == Type::Float)
      return product_leaves(e->args[0], variant) && product_leaves(e->args[1], variant);
    if (e->kind == ExprKind::Load && uses_var(e, v_)) ++variant;
    return e->kind == ExprKind::Load || e->kind == ExprKind::FloatImm;
  }
  std::string temp(const char *prefix) { return prefix + std::to_string(ntemp_++); }
  std::string lanes_of(const std::string &s) { return spec_.splat(s); }
  std::string broadcast(const Expr &e) {
    if (e->kind == ExprKind::FloatImm) return lanes_of(p_.expr(e));
    const std::string t = temp("swtc_s");
    pre_.push_back("const float " + t + " = " + p_.expr(e) + ";");
    return lanes_of(t);
  }
  /// Lane k computes e with the loop variable at v + k (zero where guarded).
  std::string gather(const Expr &e) {
    std::vector<std::string> lanes;
    for (int k = 0; k < spec_.lanes; ++k) {
      const std::vector<std::pair<std::string, Expr>> at = {{v_, var(v_) + int_imm(k)}};
      std::string lane = p_.expr(substitute(e, at));
      if (guard_) lane = "(" + p_.expr(substitute(guard_, at)) + " ? " + lane + " : 0.0f)";
      lanes.push_back(lane);
    }
    return spec_.set(lanes);
  }

  const VectorIsa &spec_;
  std::string v_;
  std::map<std::string, int64_t> loops_;
  CPrinter &p_;
  Buffer store_buf_;
  Expr store_flat_;
  Expr guard_;
  std::vector<std::string> pre_;
  int ntemp_ = 0, ops_ = 0;
};

}  // namespace

std::optional<std::vector<std::string>> vectorize_loop(const Stmt &loop, const VectorIsa &spec,
                                                       const std::map<std::string, int64_t> &enclosing,
                                                       CPrinter &printer) {
  if (loop->kind != StmtKind::For || loop->for_kind != ForKind::Serial ||
      loop->extent < spec.lanes)
    return std::nullopt;
  auto loops = enclosing;
  loops[loop->loop_var] = loop->extent;
  Vectorizer vz(spec, loop->loop_var, loops, printer);
  return vz.body(loop);
}

}  // namespace swtc::codegen
