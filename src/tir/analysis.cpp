#include "tir/analysis.h"

#include <algorithm>
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
    if (s->local->scope != Scope::Ldm) fail("staged copy ", s->local->name, " is not in LDM");
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

int64_t padded_bytes(const Buffer &b) { return (b->bytes() + 31) / 32 * 32; }

void layout(const Stmt &s, int64_t base, std::map<const BufferNode *, int64_t> &out,
            int64_t &peak) {
  if (!s) return;
  if (s->kind == StmtKind::Stage) {
    out[s->local.get()] = base;
    base += padded_bytes(s->local) * (s->double_buffer ? 2 : 1);
    peak = std::max(peak, base);
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

namespace {
void estimate(const Stmt &s, double trips, int cpes, DmaEstimate &e, double &worker_share) {
  if (!s) return;
  if (s->kind == StmtKind::For) {
    double n = double(s->extent);
    if (s->for_kind == ForKind::Cpe) {
      n = double((s->extent + cpes - 1) / cpes);
      worker_share = n / double(s->extent);
    }
    trips *= n;
  }
  if (s->kind == StmtKind::Stage) {
    const size_t t = stage_whole_from(s);
    double runs = 1;
    for (size_t d = 0; t > 0 && d + 1 < t; ++d) runs *= double(s->local->shape[d]);
    const double moves = s->dir == StageDir::InOut ? 2 : 1;
    e.bytes += moves * trips * double(s->local->bytes());
    e.transfers += moves * trips * runs;
  }
  for (const auto &b : s->body) estimate(b, trips, cpes, e, worker_share);
}
}  // namespace

DmaEstimate dma_estimate(const PrimFunc &f, int cpes) {
  DmaEstimate e;
  double share = 1;
  estimate(f.body, 1, cpes, e, share);
  e.flops = double(f.flops) * share;
  return e;
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

std::map<const BufferNode *, int64_t> ldm_layout(const PrimFunc &f, int64_t *total) {
  std::map<const BufferNode *, int64_t> out;
  int64_t peak = 0;
  layout(f.body, 0, out, peak);
  if (total) *total = peak;
  return out;
}

int64_t ldm_bytes(const PrimFunc &f) {
  int64_t total = 0;
  ldm_layout(f, &total);
  return total;
}

}  // namespace swtc::tir
