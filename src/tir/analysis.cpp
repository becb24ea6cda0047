#include "tir/analysis.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "common/error.h"
#include "tir/functor.h"
#include "tir/printer.h"

namespace swtc::tir {

namespace {
LinearForm scaled(LinearForm f, int64_t k) {
  for (auto &[v, c] : f.coeffs) c *= k;
  if (f.sym) f.sym = f.sym * int_imm(k);
  f.constant *= k;
  return f;
}

LinearForm combine(LinearForm a, const LinearForm &b, int64_t sign) {
  if (!a.ok || !b.ok) return LinearForm{false, {}, nullptr, 0};
  for (const auto &[v, c] : b.coeffs) a.coeffs[v] += sign * c;
  if (b.sym) a.sym = a.sym ? (sign > 0 ? a.sym + b.sym : a.sym - b.sym)
                           : (sign > 0 ? b.sym : int_imm(0) - b.sym);
  a.constant += sign * b.constant;
  return a;
}
}  // namespace

bool uses_var(const Expr &e, const std::string &name) {
  if (!e) return false;
  if (e->kind == ExprKind::Var) return e->name == name;
  for (const auto &a : e->args)
    if (uses_var(a, name)) return true;
  return false;
}

static bool uses_any(const Expr &e, const std::map<std::string, int64_t> &vars) {
  for (const auto &[v, ext] : vars)
    if (uses_var(e, v)) return true;
  return false;
}

LinearForm linear_form(const Expr &e, const std::map<std::string, int64_t> &inner) {
  LinearForm f;
  if (e->kind == ExprKind::IntImm) {
    f.constant = e->int_value;
    return f;
  }
  if (!uses_any(e, inner)) {
    f.sym = e;
    return f;
  }
  if (e->kind == ExprKind::Var) {
    f.coeffs[e->name] = 1;
    return f;
  }
  if (e->kind == ExprKind::Binary) {
    const Expr &a = e->args[0], &b = e->args[1];
    switch (e->op) {
      case BinaryOp::Add: return combine(linear_form(a, inner), linear_form(b, inner), 1);
      case BinaryOp::Sub: return combine(linear_form(a, inner), linear_form(b, inner), -1);
      case BinaryOp::Mul: {
        int64_t k = 0;
        if (is_const_int(b, &k)) return scaled(linear_form(a, inner), k);
        if (is_const_int(a, &k)) return scaled(linear_form(b, inner), k);
        break;
      }
      default: break;
    }
  }
  f.ok = false;
  return f;
}

namespace {
class Verifier : public IRVisitor {
 public:
  explicit Verifier(const PrimFunc &f) : f_(f) {
    for (const auto &p : f.params) {
      if (p->scope != Scope::Global) fail("parameter ", p->name, " is not a global buffer");
      buffers_.insert(p.get());
    }
  }

  template <typename... A>
  [[noreturn]] void fail(const A &...a) {
    internal_error("TIR verifier: function '", f_.name, "': ", a...);
  }

 protected:
  void visit_Var(const Expr &e) override {
    if (!vars_.count(e->name)) fail("variable '", e->name, "' is used outside its loop");
  }
  void visit_Load(const Expr &e) override {
    check_buffer(e->buffer, e->args.size());
    IRVisitor::visit_Load(e);
  }
  void visit_Store(const Stmt &s) override {
    check_buffer(s->buffer, s->indices.size());
    IRVisitor::visit_Store(s);
  }
  void visit_For(const Stmt &s) override {
    if (s->extent <= 0) fail("loop '", s->loop_var, "' has extent ", s->extent);
    if (!vars_.insert(s->loop_var).second) fail("loop variable '", s->loop_var, "' is shadowed");
    visit(s->inner());
    vars_.erase(s->loop_var);
  }
  void visit_Stage(const Stmt &s) override {
    check_buffer(s->buffer, s->indices.size());
    if (s->local->scope != Scope::Local) fail("staged copy ", s->local->name, " is not a local buffer");
    if (s->buffer->scope != Scope::Global) fail("staging from non-global ", s->buffer->name);
    for (const auto &i : s->indices) visit(i);
    if (!buffers_.insert(s->local.get()).second) fail("buffer ", s->local->name, " staged twice");
    visit(s->inner());
    buffers_.erase(s->local.get());
  }

 private:
  void check_buffer(const Buffer &b, size_t rank) {
    if (!buffers_.count(b.get())) fail("buffer '", b->name, "' is not in scope");
    if (rank != b->shape.size())
      fail("buffer '", b->name, "' has rank ", b->shape.size(), " but ", rank, " indices");
  }

  const PrimFunc &f_;
  std::set<std::string> vars_;
  std::set<const BufferNode *> buffers_;
};


void layout(const Stmt &s, int64_t base, std::map<const BufferNode *, int64_t> &out,
            int64_t &peak) {
  if (!s) return;
  if (s->kind == StmtKind::Stage) {
    out[s->local.get()] = base;
    // The buffer ends after its last element (the second copy of a
    // double-buffered stage starts at the next 32-byte boundary); the next
    // nested buffer starts at the next 32-byte boundary after it.
    const int64_t copies = s->double_buffer ? 2 : 1;
    peak = std::max(peak, base + local_copy_bytes(s->local) * (copies - 1) + s->local->bytes());
    base += local_copy_bytes(s->local) * copies;
  }
  for (const auto &b : s->body) layout(b, base, out, peak);
}
}  // namespace

void verify(const PrimFunc &f) {
  Verifier v(f);
  v.visit(f.body);
}

size_t stage_whole_from(const Stmt &s) {
  size_t t = s->buffer->shape.size();
  while (t > 0 && s->local->shape[t - 1] == s->buffer->shape[t - 1] &&
         is_const_int(s->indices[t - 1]) && s->indices[t - 1]->int_value == 0)
    --t;
  return t;
}

std::optional<std::pair<int64_t, int64_t>> bounds(const Expr &e,
                                                  const std::map<std::string, int64_t> &extents) {
  using R = std::optional<std::pair<int64_t, int64_t>>;
  switch (e->kind) {
    case ExprKind::IntImm: return std::make_pair(e->int_value, e->int_value);
    case ExprKind::Var: {
      auto it = extents.find(e->name);
      if (it == extents.end() || it->second < 1) return std::nullopt;
      return std::make_pair(int64_t(0), it->second - 1);
    }
    case ExprKind::Binary: {
      R a = bounds(e->args[0], extents), b = bounds(e->args[1], extents);
      if (!a || !b) return std::nullopt;
      const auto [al, ah] = *a;
      const auto [bl, bh] = *b;
      const bool b_const = bl == bh;
      switch (e->op) {
        case BinaryOp::Add: return std::make_pair(al + bl, ah + bh);
        case BinaryOp::Sub: return std::make_pair(al - bh, ah - bl);
        case BinaryOp::Mul: {
          const int64_t c[4] = {al * bl, al * bh, ah * bl, ah * bh};
          return std::make_pair(*std::min_element(c, c + 4), *std::max_element(c, c + 4));
        }
        case BinaryOp::FloorDiv:
          if (!b_const || bl <= 0 || al < 0) return std::nullopt;
          return std::make_pair(al / bl, ah / bl);
        case BinaryOp::FloorMod:
          if (!b_const || bl <= 0 || al < 0) return std::nullopt;
          if (ah / bl == al / bl) return std::make_pair(al % bl, ah % bl);
          return std::make_pair(int64_t(0), bl - 1);
        case BinaryOp::Min: return std::make_pair(std::min(al, bl), std::min(ah, bh));
        case BinaryOp::Max: return std::make_pair(std::max(al, bl), std::max(ah, bh));
        default: return std::nullopt;
      }
    }
    default: return std::nullopt;
  }
}

bool stage_strided(const Stmt &s, const std::map<std::string, int64_t> &extents) {
  const size_t t = stage_whole_from(s);
  if (t < 2) return false;
  const auto lo = bounds(s->indices[t - 1], extents);
  return lo && lo->first >= 0 && lo->second + s->local->shape[t - 1] <= s->buffer->shape[t - 1];
}

std::optional<CompactFetch> stage_compact(const Stmt &s,
                                          const std::map<std::string, int64_t> &extents) {
  if (s->dir != StageDir::In) return std::nullopt;
  const size_t rank = s->buffer->shape.size();
  const auto &shape = s->buffer->shape, &ext = s->local->shape;
  size_t k = rank;
  bool halo = false;
  while (k > 0) {
    const auto lo = bounds(s->indices[k - 1], extents);
    if (!lo || lo->second > 0 || lo->first + ext[k - 1] < shape[k - 1]) break;
    halo = halo || ext[k - 1] > shape[k - 1];
    --k;
  }
  if (!halo || k == 0) return std::nullopt;
  CompactFetch c;
  c.row = k - 1;
  if (c.row >= 1) {
    const auto lo = bounds(s->indices[c.row - 1], extents);
    c.strided = lo && lo->first >= 0 && lo->second + ext[c.row - 1] <= shape[c.row - 1];
  }
  return c;
}

namespace {
void estimate(const Stmt &s, double trips, int cpes, DmaEstimate &e, double &worker_share,
              std::map<std::string, int64_t> &extents, const std::string &skip) {
  if (!s) return;
  if (s->kind == StmtKind::For) {
    double n = double(s->extent);
    if (s->for_kind == ForKind::Cpe) {
      n = double((s->extent + cpes - 1) / cpes);
      worker_share = n / double(s->extent);
    }
    trips *= n;
    extents[s->loop_var] = s->extent;
  }
  if (s->kind == StmtKind::Stage && !skip.empty() && s->buffer->name == skip) {
    // not counted (the caller costs this buffer's transfers itself)
  } else if (s->kind == StmtKind::Stage && stage_compact(s, extents)) {
    // One transfer (or strided descriptor) per index of the dims before the row dim.
    const CompactFetch c = *stage_compact(s, extents);
    const size_t loops = c.strided ? c.row - 1 : c.row;
    double runs = 1;
    for (size_t d = 0; d < loops; ++d) runs *= double(s->local->shape[d]);
    const double bytes = trips * double(s->local->bytes());
    e.bytes += bytes;
    e.transfers += trips * runs;
    if (c.strided) {
      e.stride_transfers += trips * runs;
      e.stride_blocks += trips * runs * double(s->local->shape[c.row - 1]);
      e.stride_bytes += bytes;
    }
  } else if (s->kind == StmtKind::Stage) {
    const size_t t = stage_whole_from(s);
    // One transfer per row of dims [0, t-1), or per strided block of rows.
    const bool strided = stage_strided(s, extents);
    const size_t loops = strided ? t - 2 : (t > 0 ? t - 1 : 0);
    double runs = 1;
    for (size_t d = 0; d < loops; ++d) runs *= double(s->local->shape[d]);
    const double moves = s->dir == StageDir::InOut ? 2 : 1;
    const double bytes = moves * trips * double(s->local->bytes());
    e.bytes += bytes;
    e.transfers += moves * trips * runs;
    if (strided) {
      e.stride_transfers += moves * trips * runs;
      e.stride_blocks += moves * trips * runs * double(s->local->shape[t - 2]);
      e.stride_bytes += bytes;
    }
  }
  for (const auto &b : s->body) estimate(b, trips, cpes, e, worker_share, extents, skip);
  if (s->kind == StmtKind::For) extents.erase(s->loop_var);
}
}  // namespace

DmaEstimate dma_estimate(const PrimFunc &f, int cpes, const std::string &skip) {
  DmaEstimate e;
  double share = 1;
  std::map<std::string, int64_t> extents;
  estimate(f.body, 1, cpes, e, share, extents, skip);
  e.flops = double(f.flops) * share;
  return e;
}

int64_t float_ops(const Expr &e) {
  int64_t n = 0;
  for (const auto &a : e->args) n += float_ops(a);
  if (e->type != Type::Float) return n;
  if (e->kind == ExprKind::Call) return n + 1;
  if (e->kind != ExprKind::Binary) return n;
  switch (e->op) {
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Min:
    case BinaryOp::Max: return n + 1;
    case BinaryOp::FloorDiv:
    case BinaryOp::FloorMod:
    case BinaryOp::LT:
    case BinaryOp::LE:
    case BinaryOp::EQ:
    case BinaryOp::And: return n;
  }
  return n;
}

std::optional<int64_t> eval_index(const Expr &e, const std::map<std::string, int64_t> &env) {
  switch (e->kind) {
    case ExprKind::IntImm: return e->int_value;
    case ExprKind::Var: {
      auto it = env.find(e->name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    }
    case ExprKind::Select: {
      auto c = eval_index(e->args[0], env);
      if (!c) return std::nullopt;
      return eval_index(e->args[*c ? 1 : 2], env);
    }
    case ExprKind::Binary: {
      if (e->args[0]->type == Type::Float || e->args[1]->type == Type::Float) return std::nullopt;
      auto a = eval_index(e->args[0], env), b = eval_index(e->args[1], env);
      if (!a || !b) return std::nullopt;
      const int64_t x = *a, y = *b;
      switch (e->op) {
        // Overflow (only in absurd hostile shapes) makes the guard uncountable.
        case BinaryOp::Add: {
          int64_t r;
          if (__builtin_add_overflow(x, y, &r)) return std::nullopt;
          return r;
        }
        case BinaryOp::Sub: {
          int64_t r;
          if (__builtin_sub_overflow(x, y, &r)) return std::nullopt;
          return r;
        }
        case BinaryOp::Mul: {
          int64_t r;
          if (__builtin_mul_overflow(x, y, &r)) return std::nullopt;
          return r;
        }
        case BinaryOp::Div:
        case BinaryOp::FloorDiv: {
          if (y == 0 || (y == -1 && x == std::numeric_limits<int64_t>::min())) return std::nullopt;
          int64_t q = x / y;
          if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
          return q;
        }
        case BinaryOp::FloorMod: {
          if (y == 0) return std::nullopt;
          if (y == -1) return 0;
          int64_t r = x % y;
          if (r != 0 && ((r < 0) != (y < 0))) r += y;
          return r;
        }
        case BinaryOp::Min: return std::min(x, y);
        case BinaryOp::Max: return std::max(x, y);
        case BinaryOp::LT: return x < y;
        case BinaryOp::LE: return x <= y;
        case BinaryOp::EQ: return x == y;
        case BinaryOp::And: return x && y;
      }
      return std::nullopt;
    }
    case ExprKind::FloatImm:
    case ExprKind::Load:
    case ExprKind::Call: return std::nullopt;
  }
  return std::nullopt;
}

namespace {
void conjuncts(const Expr &c, std::vector<Expr> &out) {
  if (c->kind == ExprKind::Binary && c->op == BinaryOp::And) {
    conjuncts(c->args[0], out);
    conjuncts(c->args[1], out);
    return;
  }
  out.push_back(c);
}

void vars_of(const Expr &e, std::set<std::string> &out) {
  if (e->kind == ExprKind::Var) out.insert(e->name);
  for (const auto &a : e->args) vars_of(a, out);
}

/// An affine index expression: sum of coef * var plus a constant, over a
/// group's variables (by position). Built with overflow checks; nullopt if
/// the expression is not affine (floordiv, min, select, loads, ...) or a
/// coefficient would leave +-2^40.
struct Affine {
  std::vector<int64_t> coef;
  int64_t c = 0;
};

constexpr int64_t kAffineBound = int64_t(1) << 40;

bool affine_ok(const Affine &a) {
  if (a.c > kAffineBound || a.c < -kAffineBound) return false;
  for (int64_t k : a.coef)
    if (k > kAffineBound || k < -kAffineBound) return false;
  return true;
}

std::optional<Affine> affine_of(const Expr &e, const std::vector<std::string> &vars) {
  switch (e->kind) {
    case ExprKind::IntImm: {
      Affine a;
      a.coef.assign(vars.size(), 0);
      a.c = e->int_value;
      if (!affine_ok(a)) return std::nullopt;
      return a;
    }
    case ExprKind::Var: {
      for (size_t i = 0; i < vars.size(); ++i)
        if (vars[i] == e->name) {
          Affine a;
          a.coef.assign(vars.size(), 0);
          a.coef[i] = 1;
          return a;
        }
      return std::nullopt;
    }
    case ExprKind::Binary: {
      if (e->op != BinaryOp::Add && e->op != BinaryOp::Sub && e->op != BinaryOp::Mul)
        return std::nullopt;
      if (e->args[0]->type == Type::Float || e->args[1]->type == Type::Float) return std::nullopt;
      auto a = affine_of(e->args[0], vars), b = affine_of(e->args[1], vars);
      if (!a || !b) return std::nullopt;
      if (e->op == BinaryOp::Mul) {
        const bool a_const = std::all_of(a->coef.begin(), a->coef.end(), [](int64_t k) { return k == 0; });
        const bool b_const = std::all_of(b->coef.begin(), b->coef.end(), [](int64_t k) { return k == 0; });
        if (!a_const && !b_const) return std::nullopt;
        if (a_const) std::swap(a, b);  // a: the affine side, b: the constant
        const int64_t k = b->c;
        for (auto &x : a->coef) x *= k;  // |x|, |k| <= 2^40: no overflow; checked below
        a->c *= k;
        if (!affine_ok(*a)) return std::nullopt;
        return a;
      }
      const int64_t sign = e->op == BinaryOp::Add ? 1 : -1;
      for (size_t i = 0; i < vars.size(); ++i) a->coef[i] += sign * b->coef[i];
      a->c += sign * b->c;
      if (!affine_ok(*a)) return std::nullopt;
      return a;
    }
    default: return std::nullopt;
  }
}

/// A guard as `form <= 0` or, with `eq`, `form == 0`.
struct AffineCond {
  Affine form;
  bool eq = false;
};

std::optional<AffineCond> affine_cond(const Expr &e, const std::vector<std::string> &vars) {
  if (e->kind == ExprKind::IntImm) {  // a folded condition: 0 <= 0 holds, 1 <= 0 does not
    AffineCond r;
    r.form.coef.assign(vars.size(), 0);
    r.form.c = e->int_value != 0 ? 0 : 1;
    return r;
  }
  if (e->kind != ExprKind::Binary ||
      (e->op != BinaryOp::LT && e->op != BinaryOp::LE && e->op != BinaryOp::EQ))
    return std::nullopt;
  auto a = affine_of(e->args[0], vars), b = affine_of(e->args[1], vars);
  if (!a || !b) return std::nullopt;
  AffineCond r;
  for (size_t i = 0; i < vars.size(); ++i) a->coef[i] -= b->coef[i];
  a->c -= b->c;
  if (e->op == BinaryOp::LT) a->c += 1;  // a < b  <=>  a - b + 1 <= 0
  r.eq = e->op == BinaryOp::EQ;
  r.form = *a;
  if (!affine_ok(r.form)) return std::nullopt;
  return r;
}

__int128 floor_div(__int128 a, __int128 b) {  // b != 0
  __int128 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
__int128 ceil_div(__int128 a, __int128 b) { return -floor_div(-a, b); }

/// Points of the box prod(extent) where every (affine) condition holds:
/// all variables but the widest are enumerated, and the widest one's valid
/// values form an interval computed directly. nullopt if the other
/// variables span more than `max_outer` points.
std::optional<int64_t> count_affine(const std::vector<AffineCond> &conds,
                                    const std::vector<int64_t> &extent, int64_t max_outer) {
  const size_t n = extent.size();
  if (n == 0) {  // conditions without variables: one point, which holds or not
    for (const auto &c : conds)
      if (c.eq ? c.form.c != 0 : c.form.c > 0) return 0;
    return 1;
  }
  size_t wide = 0;
  for (size_t i = 1; i < n; ++i)
    if (extent[i] > extent[wide]) wide = i;
  int64_t outer = 1;
  for (size_t i = 0; i < n; ++i) {
    if (i == wide) continue;
    outer *= extent[i];
    if (outer > max_outer) return std::nullopt;
  }
  std::vector<int64_t> val(n, 0);
  int64_t hits = 0;
  for (int64_t k = 0; k < outer; ++k) {
    int64_t rest = k;
    for (size_t i = 0; i < n; ++i) {
      if (i == wide) continue;
      val[i] = rest % extent[i];
      rest /= extent[i];
    }
    __int128 lo = 0, hi = extent[wide] - 1;
    for (const auto &c : conds) {
      __int128 r = c.form.c;
      for (size_t i = 0; i < n; ++i)
        if (i != wide) r += __int128(c.form.coef[i]) * val[i];
      const __int128 a = c.form.coef[wide];  // a * v + r (<= or ==) 0
      if (a == 0) {
        if (c.eq ? r != 0 : r > 0) hi = lo - 1;
      } else if (c.eq) {
        if (r % a != 0) {
          hi = lo - 1;
        } else {
          lo = std::max(lo, -r / a);
          hi = std::min(hi, -r / a);
        }
      } else if (a > 0) {
        hi = std::min(hi, floor_div(-r, a));
      } else {
        lo = std::max(lo, ceil_div(r, -a));
      }
      if (hi < lo) break;
    }
    if (hi >= lo) hits += int64_t(hi - lo + 1);
  }
  return hits;
}

/// a * b and a + b for counts >= 0, saturating at INT64_MAX (a pool window
/// of 2^32 points over a large output overflows a flop count).
int64_t sat_mul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? std::numeric_limits<int64_t>::max() : r;
}
int64_t sat_add(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<int64_t>::max() : r;
}

/// How `e` changes when variable `v` grows by `p`: the constant d with
/// e(v + p) = e(v) + d for all values of every variable, or nullopt if
/// there is none (or it cannot be shown). Conditions and min/max must not
/// change at all (d = 0).
std::optional<int64_t> shift_by(const Expr &e, const std::string &v, int64_t p) {
  switch (e->kind) {
    case ExprKind::IntImm: return 0;
    case ExprKind::Var: return e->name == v ? p : 0;
    case ExprKind::Binary: {
      if (e->args[0]->type == Type::Float || e->args[1]->type == Type::Float) return std::nullopt;
      const auto a = shift_by(e->args[0], v, p), b = shift_by(e->args[1], v, p);
      if (!a || !b) return std::nullopt;
      const Expr &rhs = e->args[1];
      const bool k_const = rhs->kind == ExprKind::IntImm && rhs->int_value > 0;
      int64_t r;
      switch (e->op) {
        case BinaryOp::Add:
          if (__builtin_add_overflow(*a, *b, &r)) return std::nullopt;
          return r;
        case BinaryOp::Sub:
          if (__builtin_sub_overflow(*a, *b, &r)) return std::nullopt;
          return r;
        case BinaryOp::Mul: {
          const Expr &l = e->args[0];
          if (*b == 0 && rhs->kind == ExprKind::IntImm) {
            if (__builtin_mul_overflow(*a, rhs->int_value, &r)) return std::nullopt;
            return r;
          }
          if (*a == 0 && l->kind == ExprKind::IntImm) {
            if (__builtin_mul_overflow(*b, l->int_value, &r)) return std::nullopt;
            return r;
          }
          if (*a == 0 && *b == 0) return 0;
          return std::nullopt;
        }
        case BinaryOp::Div: return std::nullopt;  // truncating: not a shift across zero
        case BinaryOp::FloorDiv:
          if (!k_const || *a % rhs->int_value != 0) return std::nullopt;
          return *a / rhs->int_value;
        case BinaryOp::FloorMod:
          if (!k_const || *a % rhs->int_value != 0) return std::nullopt;
          return 0;
        case BinaryOp::Min:
        case BinaryOp::Max:
          if (*a != *b) return std::nullopt;
          return *a;
        case BinaryOp::LT:
        case BinaryOp::LE:
        case BinaryOp::EQ:
          if (*a != *b) return std::nullopt;
          return 0;
        case BinaryOp::And:
          if (*a != 0 || *b != 0) return std::nullopt;
          return 0;
      }
      return std::nullopt;
    }
    case ExprKind::Select: {
      for (const auto &x : e->args) {
        const auto d = shift_by(x, v, p);
        if (!d || *d != 0) return std::nullopt;
      }
      return 0;
    }
    default: return std::nullopt;
  }
}

/// Multiplies `product` by every constant divisor and modulus in `e`
/// (stopping above 2^30).
void divisors_of(const Expr &e, int64_t &product) {
  if (e->kind == ExprKind::Binary &&
      (e->op == BinaryOp::FloorMod || e->op == BinaryOp::FloorDiv) &&
      e->args[1]->kind == ExprKind::IntImm && e->args[1]->int_value > 0) {
    if (__builtin_mul_overflow(product, e->args[1]->int_value, &product) ||
        product > (int64_t(1) << 30))
      product = int64_t(1) << 31;
  }
  for (const auto &a : e->args) divisors_of(a, product);
}

/// A period of the conjunction `conds` in variable `v` (every condition
/// unchanged when v grows by it), or 0 if none is found: the product of the
/// constant divisors and moduli in the conditions, checked with shift_by.
int64_t guard_period(const std::vector<Expr> &conds, const std::string &v) {
  int64_t p = 1;
  for (const auto &c : conds) divisors_of(c, p);
  if (p <= 1 || p > (int64_t(1) << 30)) return 0;
  for (const auto &c : conds) {
    const auto d = shift_by(c, v, p);
    if (!d || *d != 0) return 0;
  }
  return p;
}

/// The one constant M such that variable `v` occurs in `e` only as `v // M`
/// or `v % M` (a fused loop index taken apart); 0 if there is none, -1 if
/// `v` occurs otherwise. `m` accumulates over calls.
void split_modulus(const Expr &e, const std::string &v, int64_t &m) {
  if (m < 0) return;
  if (e->kind == ExprKind::Var && e->name == v) {
    m = -1;
    return;
  }
  if (e->kind == ExprKind::Binary &&
      (e->op == BinaryOp::FloorDiv || e->op == BinaryOp::FloorMod) &&
      e->args[0]->kind == ExprKind::Var && e->args[0]->name == v) {
    const Expr &k = e->args[1];
    if (k->kind != ExprKind::IntImm || k->int_value <= 0 || (m > 0 && m != k->int_value)) {
      m = -1;
      return;
    }
    m = k->int_value;
    return;
  }
  for (const auto &a : e->args) split_modulus(a, v, m);
}

/// `e` with `v // m` replaced by variable `q` and `v % m` by `r`; null if
/// `e` has a node that cannot be rebuilt (a load or a call).
Expr split_var(const Expr &e, const std::string &v, int64_t m, const std::string &q,
               const std::string &r) {
  switch (e->kind) {
    case ExprKind::IntImm:
    case ExprKind::Var: return e;
    case ExprKind::Binary: {
      if ((e->op == BinaryOp::FloorDiv || e->op == BinaryOp::FloorMod) &&
          e->args[0]->kind == ExprKind::Var && e->args[0]->name == v &&
          e->args[1]->kind == ExprKind::IntImm && e->args[1]->int_value == m)
        return var(e->op == BinaryOp::FloorDiv ? q : r);
      Expr a = split_var(e->args[0], v, m, q, r), b = split_var(e->args[1], v, m, q, r);
      if (!a || !b) return nullptr;
      return binary(e->op, a, b);
    }
    case ExprKind::Select: {
      Expr c = split_var(e->args[0], v, m, q, r), a = split_var(e->args[1], v, m, q, r),
           b = split_var(e->args[2], v, m, q, r);
      if (!c || !a || !b) return nullptr;
      return select(c, a, b);
    }
    default: return nullptr;
  }
}

struct FlopCounter {
  std::vector<std::pair<std::string, int64_t>> loops;  // enclosing loops, outermost first
  std::vector<Expr> guards;                            // enclosing IfThen conjuncts
  int64_t total = 0;
  // Guard groups already counted (the same guards and extents recur for
  // every Store under them): conditions and extents -> points.
  std::map<std::pair<std::vector<const ExprNode *>, std::vector<int64_t>>, std::optional<int64_t>>
      memo;
  std::vector<std::vector<Expr>> kept;  // rewritten guards, alive while memo refers to them

  /// Points of `dom` where every condition of `conds` holds; nullopt if it
  /// cannot be counted (a condition reads memory, or it would take too long).
  std::optional<int64_t> count_group(const std::vector<Expr> &conds,
                                     const std::vector<std::pair<std::string, int64_t>> &dom) {
    std::vector<const ExprNode *> key_c;
    for (const auto &c : conds) key_c.push_back(c.get());
    std::vector<int64_t> key_e;
    for (const auto &[v, e] : dom) key_e.push_back(e);
    auto key = std::make_pair(key_c, key_e);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
    std::optional<int64_t> r = count_group_uncached(conds, dom);
    memo[key] = r;
    return r;
  }

  std::optional<int64_t> count_group_uncached(
      const std::vector<Expr> &conds, const std::vector<std::pair<std::string, int64_t>> &dom) {
    // A variable the guards use only through `% k` (and `// d` below it), as
    // a fused loop's index is: the guards repeat with its period P, so its
    // extent q * P + r counts as q times [0, P) plus [0, r).
    for (size_t i = 0; i < dom.size(); ++i) {
      const auto &[v, e] = dom[i];
      const int64_t period = guard_period(conds, v);
      if (period <= 0 || period >= e) continue;
      auto sub = dom;
      sub[i].second = period;
      const std::optional<int64_t> whole = count_group(conds, sub);
      if (!whole) return std::nullopt;
      int64_t n = sat_mul(e / period, *whole);
      if (e % period != 0) {
        sub[i].second = e % period;
        const std::optional<int64_t> part = count_group(conds, sub);
        if (!part) return std::nullopt;
        n = sat_add(n, *part);
      }
      return n;
    }
    // A variable v < E the guards use only as v // M and v % M: counted as
    // two variables q < ceil(E / M) and r < M with q * M + r < E.
    for (size_t i = 0; i < dom.size(); ++i) {
      const auto &[v, e] = dom[i];
      int64_t m = 0;
      for (const auto &c : conds) split_modulus(c, v, m);
      if (m <= 1 || m >= e) continue;
      const std::string q = v + "#q", r = v + "#r";
      std::vector<Expr> split;
      for (const auto &c : conds) split.push_back(split_var(c, v, m, q, r));
      if (std::any_of(split.begin(), split.end(), [](const Expr &x) { return !x; })) continue;
      if (e % m != 0) split.push_back(lt(var(q) * int_imm(m) + var(r), int_imm(e)));
      kept.push_back(split);  // the memo's keys point into these
      auto sub = dom;
      sub.erase(sub.begin() + long(i));
      sub.push_back({q, (e + m - 1) / m});
      sub.push_back({r, m});
      return count_group(split, sub);
    }
    // Affine conditions (bounds checks of padding, tails, windows): one
    // variable solved, the others enumerated, up to 2^22 of them.
    std::vector<std::string> names;
    std::vector<int64_t> extent;
    for (const auto &[v, e] : dom) {
      names.push_back(v);
      extent.push_back(e);
    }
    std::vector<AffineCond> acs;
    for (const auto &c : conds) {
      auto a = affine_cond(c, names);
      if (!a) break;
      acs.push_back(*a);
    }
    if (acs.size() == conds.size()) return count_affine(acs, extent, int64_t(1) << 20);
    // Others: every point evaluated, up to 2^16 points (beyond, the guard
    // counts as true: an overestimate, never seconds of enumeration).
    int64_t size = 1;
    for (int64_t e : extent) {
      size *= e;
      if (size > (int64_t(1) << 16)) return std::nullopt;
    }
    std::map<std::string, int64_t> env;
    for (const auto &[v, e] : dom) env[v] = 0;
    int64_t hits = 0;
    for (int64_t k = 0; k < size; ++k) {
      int64_t rest = k;
      for (const auto &[v, e] : dom) {
        env[v] = rest % e;
        rest /= e;
      }
      bool all = true;
      for (const auto &c : conds) {
        auto r = eval_index(c, env);
        if (!r) return std::nullopt;
        all = all && *r != 0;
      }
      hits += all ? 1 : 0;
    }
    return hits;
  }

  /// Iterations of the enclosing loops for which every guard holds. Guards
  /// are grouped by shared variables; each group is counted on its own.
  int64_t points() {
    std::map<std::string, int64_t> extent(loops.begin(), loops.end());
    std::vector<std::set<std::string>> gvars(guards.size());
    std::vector<int> group(guards.size());
    for (size_t i = 0; i < guards.size(); ++i) {
      vars_of(guards[i], gvars[i]);
      group[i] = int(i);
    }
    // Union guards that share a variable (few guards: quadratic is fine).
    for (size_t i = 0; i < guards.size(); ++i)
      for (size_t j = 0; j < i; ++j) {
        bool shared = false;
        for (const auto &v : gvars[i]) shared = shared || gvars[j].count(v);
        if (!shared) continue;
        const int from = group[i], to = group[j];
        for (auto &g : group)
          if (g == from) g = to;
      }
    std::set<std::string> guarded;
    int64_t n = 1;
    std::set<int> groups(group.begin(), group.end());
    for (int g : groups) {
      std::vector<Expr> conds;
      std::set<std::string> vs;
      for (size_t i = 0; i < guards.size(); ++i)
        if (group[i] == g) {
          conds.push_back(guards[i]);
          vs.insert(gvars[i].begin(), gvars[i].end());
        }
      std::vector<std::pair<std::string, int64_t>> dom;
      bool ok = true;
      for (const auto &v : vs) {
        auto it = extent.find(v);
        if (it == extent.end()) {
          ok = false;
          break;
        }
        dom.push_back(*it);
      }
      if (!ok) continue;  // counts as true: its variables keep their full extents
      const std::optional<int64_t> hits = count_group(conds, dom);
      if (!hits) continue;  // likewise
      n = sat_mul(n, *hits);
      guarded.insert(vs.begin(), vs.end());
    }
    for (const auto &[v, e] : loops)
      if (!guarded.count(v)) n = sat_mul(n, e);
    return n;
  }

  void walk(const Stmt &s) {
    if (!s) return;
    switch (s->kind) {
      case StmtKind::For:
        loops.push_back({s->loop_var, s->extent});
        walk(s->inner());
        loops.pop_back();
        return;
      case StmtKind::IfThen: {
        const size_t before = guards.size();
        conjuncts(s->value, guards);
        walk(s->inner());
        guards.resize(before);
        return;
      }
      case StmtKind::Store: {
        const int64_t ops = float_ops(s->value);
        if (ops > 0) total = sat_add(total, sat_mul(ops, points()));
        return;
      }
      case StmtKind::Seq:
      case StmtKind::Stage:
        for (const auto &b : s->body) walk(b);
        return;
    }
  }
};
}  // namespace

int64_t executed_flops(const PrimFunc &f) {
  FlopCounter c;
  c.walk(f.body);
  return c.total;
}

static bool any_double_buffer(const Stmt &s) {
  if (!s) return false;
  if (s->kind == StmtKind::Stage && s->double_buffer) return true;
  for (const auto &b : s->body)
    if (any_double_buffer(b)) return true;
  return false;
}

bool has_double_buffer(const PrimFunc &f) { return any_double_buffer(f.body); }

void verify_dma_only(const PrimFunc &f) {
  struct V : IRVisitor {
    const PrimFunc &f;
    explicit V(const PrimFunc &fn) : f(fn) {}
    void visit_Load(const Expr &e) override {
      if (e->buffer->scope == Scope::Global)
        internal_error("CPE kernel '", f.name, "' reads main-memory buffer '", e->buffer->name,
                       "' directly, not through DMA into LDM");
      IRVisitor::visit_Load(e);
    }
    void visit_Store(const Stmt &s) override {
      if (s->buffer->scope == Scope::Global)
        internal_error("CPE kernel '", f.name, "' writes main-memory buffer '", s->buffer->name,
                       "' directly, not through DMA from LDM");
      IRVisitor::visit_Store(s);
    }
  } v(f);
  v.visit(f.body);
}

std::map<const BufferNode *, int64_t> local_layout(const PrimFunc &f, int64_t *total) {
  std::map<const BufferNode *, int64_t> out;
  int64_t peak = 0;
  layout(f.body, 0, out, peak);
  if (total) *total = peak;
  return out;
}

int64_t local_copy_bytes(const Buffer &b) { return (b->bytes() + 31) / 32 * 32; }

int64_t local_bytes(const PrimFunc &f) {
  int64_t total = 0;
  local_layout(f, &total);
  return total;
}

}  // namespace swtc::tir
