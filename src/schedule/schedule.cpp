#include "schedule/schedule.h"

#include <algorithm>
#include <functional>
#include <set>

#include "common/error.h"
#include "tir/analysis.h"
#include "tir/functor.h"
#include "tir/pack_layout.h"

namespace swtc::schedule {

using namespace swtc::tir;

Schedule::Schedule(ComputeDef def) : def_(std::move(def)) {
  SWTC_CHECK(def_.output && def_.axes.size() >= def_.num_spatial(), "bad compute ", def_.name);
  for (size_t i = 0; i < def_.axes.size(); ++i) {
    const IterVar &iv = def_.axes[i];
    SWTC_CHECK(iv.reduce == (i >= def_.num_spatial()), "axis order in ", def_.name);
    leaves_.push_back({iv.name, iv.extent, iv.reduce, ForKind::Serial});
    extents_[iv.name] = iv.extent;
  }
}

void Schedule::fail(const std::string &primitive, const std::string &why) const {
  user_error("schedule of kernel '", def_.name, "': ", primitive, ": ", why);
}

size_t Schedule::index_of(const std::string &name) const {
  for (size_t i = 0; i < leaves_.size(); ++i)
    if (leaves_[i].name == name) return i;
  fail("lookup", "no loop named '" + name + "'");
}

const LeafAxis &Schedule::axis(const std::string &name) const { return leaves_[index_of(name)]; }

size_t Schedule::first_reduce() const {
  for (size_t i = 0; i < leaves_.size(); ++i)
    if (leaves_[i].reduce) return i;
  return leaves_.size();
}

std::pair<std::string, std::string> Schedule::split(const std::string &name, int64_t factor) {
  size_t i = index_of(name);
  if (factor < 1) fail("split", "factor " + std::to_string(factor) + " < 1");
  LeafAxis a = leaves_[i];
  LeafAxis outer = a, inner = a;
  outer.name = name + "_o";
  inner.name = name + "_i";
  outer.extent = (a.extent + factor - 1) / factor;
  inner.extent = factor;
  inner.kind = ForKind::Serial;
  if (extents_.count(outer.name) || extents_.count(inner.name))
    fail("split", "loop '" + name + "' was split already");
  leaves_[i] = outer;
  leaves_.insert(leaves_.begin() + i + 1, inner);
  extents_[outer.name] = outer.extent;
  extents_[inner.name] = inner.extent;
  relations_.push_back({true, {name, outer.name, inner.name, factor}, {}});
  trace_.push_back("split(" + name + ", " + std::to_string(factor) + ")");
  return {outer.name, inner.name};
}

std::string Schedule::fuse(const std::string &outer, const std::string &inner) {
  size_t i = index_of(outer), j = index_of(inner);
  if (j != i + 1) fail("fuse", "'" + outer + "' does not directly enclose '" + inner + "'");
  const LeafAxis &a = leaves_[i], &b = leaves_[j];
  if (a.reduce != b.reduce) fail("fuse", "cannot fuse a reduce loop with a spatial loop");
  if (a.kind != ForKind::Serial || b.kind != ForKind::Serial)
    fail("fuse", "cannot fuse annotated loops");
  LeafAxis f{outer + "_" + inner, a.extent * b.extent, a.reduce, ForKind::Serial};
  if (extents_.count(f.name)) fail("fuse", "loop '" + f.name + "' exists");
  leaves_[i] = f;
  leaves_.erase(leaves_.begin() + j);
  extents_[f.name] = f.extent;
  relations_.push_back({false, {}, {outer, inner, f.name}});
  trace_.push_back("fuse(" + outer + ", " + inner + ")");
  return f.name;
}

void Schedule::reorder(const std::vector<std::string> &order) {
  std::vector<size_t> pos;
  std::set<std::string> seen;
  for (const auto &n : order) {
    if (!seen.insert(n).second) fail("reorder", "loop '" + n + "' named twice");
    pos.push_back(index_of(n));
  }
  std::vector<size_t> sorted = pos;
  std::sort(sorted.begin(), sorted.end());
  std::vector<LeafAxis> old = leaves_;
  for (size_t k = 0; k < order.size(); ++k) leaves_[sorted[k]] = old[pos[k]];
  std::string t = "reorder(";
  for (size_t k = 0; k < order.size(); ++k) t += (k ? ", " : "") + order[k];
  trace_.push_back(t + ")");
}

void Schedule::parallel(const std::string &name) {
  size_t i = index_of(name);
  if (leaves_[i].reduce) fail("parallel", "'" + name + "' is a reduce loop");
  if (i > first_reduce()) fail("parallel", "'" + name + "' is inside a reduce loop");
  for (const auto &l : leaves_)
    if (l.kind != ForKind::Serial) fail("parallel", "loop '" + l.name + "' is annotated already");
  leaves_[i].kind = ForKind::Parallel;
  trace_.push_back("parallel(" + name + ")");
}

void Schedule::bind_cpe(const std::string &name) {
  size_t i = index_of(name);
  if (leaves_[i].reduce) fail("bind_cpe", "'" + name + "' is a reduce loop");
  if (i != 0) fail("bind_cpe", "'" + name + "' is not the outermost loop");
  for (const auto &l : leaves_)
    if (l.kind != ForKind::Serial) fail("bind_cpe", "loop '" + l.name + "' is annotated already");
  leaves_[i].kind = ForKind::Cpe;
  trace_.push_back("bind_cpe(" + name + ")");
}

void Schedule::cache_read(const std::string &buffer, const std::string &at) {
  index_of(at);
  bool found = false;
  for (const auto &b : def_.inputs) found = found || b->name == buffer;
  if (!found) fail("cache_read", "'" + buffer + "' is not an input of the kernel");
  for (const auto &c : caches_)
    if (c.buffer == buffer) fail("cache_read", "'" + buffer + "' is staged already");
  caches_.push_back({buffer, at, false, {}});
  trace_.push_back("cache_read(" + buffer + ", " + at + ")");
}

void Schedule::double_buffer(const std::string &buffer) {
  for (auto &c : caches_) {
    if (c.buffer != buffer || buffer.empty()) continue;
    if (axis(c.at).kind != ForKind::Serial)
      fail("double_buffer", "'" + buffer + "' is staged at a loop that is not serial");
    c.double_buffer = true;
    trace_.push_back("double_buffer(" + buffer + ")");
    return;
  }
  fail("double_buffer", "'" + buffer + "' is not staged by cache_read");
}

void Schedule::pack(const std::string &buffer, size_t dim, int64_t block) {
  const tir::BufferNode *b = nullptr;
  for (const auto &in : def_.inputs)
    if (in->name == buffer) b = in.get();
  if (!b) fail("pack", "'" + buffer + "' is not an input");
  if (dim >= b->shape.size() || block < 1)
    fail("pack", "dimension " + std::to_string(dim) + " / block " + std::to_string(block) +
                     " out of range for '" + buffer + "'");
  for (const auto &p : packs_)
    if (p.buffer == buffer) fail("pack", "'" + buffer + "' is packed already");
  packs_.push_back({buffer, dim, block});
  trace_.push_back("pack(" + buffer + ", " + std::to_string(dim) + ", " + std::to_string(block) +
                   ")");
}

void Schedule::tensorize(const std::string &a, int64_t lanes) {
  index_of(a);
  if (!tensorized_.empty()) fail("tensorize", "'" + tensorized_ + "' is tensorized already");
  if (lanes < 1) fail("tensorize", "lanes " + std::to_string(lanes) + " < 1");
  tensorized_ = a;
  tensor_lanes_ = lanes;
  trace_.push_back("tensorize(" + a + ", " + std::to_string(lanes) + ")");
}

void Schedule::check_tensorize() const {
  const std::string &a = tensorized_;
  auto no = [&](const std::string &why) { fail("tensorize(" + a + ")", why); };
  const size_t i = index_of(a);
  const Expr &v = def_.value;
  // A sum of products of two inputs, or a pooling window: a sum or max of
  // one input.
  const bool window = v && v->kind == ExprKind::Load;
  if (def_.combiner != Combiner::Sum && !(def_.combiner == Combiner::Max && window))
    no("the kernel is neither a sum nor a max of one input");
  if (!window && (!v || v->kind != ExprKind::Binary || v->op != BinaryOp::Mul ||
                  v->args[0]->kind != ExprKind::Load || v->args[1]->kind != ExprKind::Load))
    no("the summed value is neither a product of two inputs nor one input");
  // A max's boxes hold its initial value past the tensor only when unguarded.
  if (def_.combiner == Combiner::Max && !unguarded_)
    no("a max needs unguard() (boxes filled with its initial value)");
  if (leaves_[i].reduce || leaves_[i].kind != ForKind::Serial) no("'" + a + "' is not a serial spatial loop");
  if (i + 2 >= leaves_.size()) no("no loop b and reduction inside '" + a + "'");
  const LeafAxis &b = leaves_[i + 1];
  if (b.reduce || b.kind != ForKind::Serial) no("'" + b.name + "' is not a serial spatial loop");
  if (b.extent % tensor_lanes_ != 0)
    no("'" + b.name + "' has " + std::to_string(b.extent) + " iterations, not a multiple of " +
       std::to_string(tensor_lanes_) + " lanes");
  for (size_t k = i + 2; k < leaves_.size(); ++k)
    if (!leaves_[k].reduce) no("'" + leaves_[k].name + "' inside the nest is not a reduce loop");
  auto staged_outside = [&](const std::string &buffer) {
    for (const auto &c : caches_)
      if (c.buffer == buffer) return index_of(c.at) < i;
    return false;
  };
  if (!staged_outside("")) no("the output is not staged outside '" + a + "'");
  for (const Expr &l : window ? std::vector<Expr>{v} : v->args) {
    const Buffer &in = l->buffer;
    if (!staged_outside(in->name)) no("input '" + in->name + "' is not staged outside '" + a + "'");
  }
}

void Schedule::unguard() {
  if (unguarded_) fail("unguard", "applied already");
  unguarded_ = true;
  trace_.push_back("unguard()");
}

namespace {
/// e is a product of loads and constants; collects the loaded buffers.
bool product_of_loads(const Expr &e, std::vector<std::string> &buffers);
}  // namespace

bool unguardable(const ComputeDef &def) {
  if (!def.value) return false;
  if (def.combiner == Combiner::Max)
    return def.value->kind == ExprKind::Load && def.init &&
           (def.init->kind == ExprKind::FloatImm || def.init->kind == ExprKind::IntImm);
  std::vector<std::string> loaded;
  return def.combiner == Combiner::Sum && product_of_loads(def.value, loaded) && !loaded.empty();
}

namespace {
bool product_of_loads(const Expr &e, std::vector<std::string> &buffers) {
  if (e->kind == ExprKind::Binary && e->op == BinaryOp::Mul && e->type == Type::Float)
    return product_of_loads(e->args[0], buffers) && product_of_loads(e->args[1], buffers);
  if (e->kind == ExprKind::Load) {
    buffers.push_back(e->buffer->name);
    return true;
  }
  return e->kind == ExprKind::FloatImm;
}
}  // namespace

void Schedule::pad_tiles() {
  if (padded_) fail("pad_tiles", "applied already");
  padded_ = true;
  trace_.push_back("pad_tiles()");
}

namespace {
/// The buffers the init and epilogue of `def` read, and whether they divide integers.
struct InitEpilogueReads : IRVisitor {
  std::set<std::string> buffers;
  bool int_division = false;
  void visit_Load(const Expr &e) override {
    buffers.insert(e->buffer->name);
    IRVisitor::visit_Load(e);
  }
  void visit_Binary(const Expr &e) override {
    if ((e->op == BinaryOp::Div || e->op == BinaryOp::FloorDiv || e->op == BinaryOp::FloorMod) &&
        e->type != Type::Float)
      int_division = true;
    IRVisitor::visit_Binary(e);
  }
  explicit InitEpilogueReads(const ComputeDef &def) {
    if (def.init) visit(def.init);
    // The accumulated value typed as the output's element (the variable
    // kAcc is an index-typed Var: AveragePool's acc / count is a float
    // division, not an integer one).
    if (def.epilogue && def.output->elem.is_float()) {
      const Expr acc = load(def.output, std::vector<Expr>(def.output->shape.size(), int_imm(0)));
      visit(substitute(def.epilogue, {{ComputeDef::kAcc, acc}}));
      buffers.erase(def.output->name);
    } else if (def.epilogue) {
      visit(def.epilogue);
    }
  }
};
}  // namespace

bool paddable(const ComputeDef &def) {
  return def.output->elem.is_float() && !InitEpilogueReads(def).int_division;
}

void Schedule::check_pad_tiles() const {
  auto no = [&](const std::string &why) { fail("pad_tiles", why); };
  auto staged = [&](const std::string &buffer) {
    for (const auto &c : caches_)
      if (c.buffer == buffer) return true;
    return false;
  };
  if (!staged("")) no("the output is not staged");
  if (!paddable(def_)) no("the output is not a float, or the epilogue divides integers");
  for (const auto &b : InitEpilogueReads(def_).buffers)
    if (b != def_.output->name && !staged(b)) no("input '" + b + "' is not staged");
}

void Schedule::check_unguard() const {
  auto no = [&](const std::string &why) { fail("unguard", why); };
  if (!unguardable(def_)) no("the kernel is neither a sum of products of loads nor a max of a load");
  std::vector<std::string> loaded;
  if (def_.combiner == Combiner::Max)
    loaded.push_back(def_.value->buffer->name);
  else
    product_of_loads(def_.value, loaded);
  const size_t R = first_reduce();
  auto staged_outside_reduction = [&](const std::string &buffer) {
    for (const auto &c : caches_)
      if (c.buffer == buffer) return index_of(c.at) < R;
    return false;
  };
  if (!staged_outside_reduction("")) no("the output is not staged outside the reduction");
  for (const auto &b : loaded)
    if (!staged_outside_reduction(b)) no("input '" + b + "' is not staged outside the reduction");
}

void Schedule::cache_write(const std::string &at, std::vector<size_t> local_order) {
  size_t i = index_of(at);
  if (i >= first_reduce()) fail("cache_write", "'" + at + "' is not outside the reduce loops");
  for (const auto &c : caches_)
    if (c.buffer.empty()) fail("cache_write", "the output is staged already");
  std::string order;
  if (!local_order.empty()) {
    std::vector<size_t> sorted = local_order;
    std::sort(sorted.begin(), sorted.end());
    bool perm = sorted.size() == def_.num_spatial();
    for (size_t d = 0; perm && d < sorted.size(); ++d) perm = sorted[d] == d;
    if (!perm) fail("cache_write", "the local order is not a permutation of the output's dims");
    for (size_t d : local_order) order += ", " + std::to_string(d);
  }
  caches_.push_back({"", at, false, std::move(local_order)});
  trace_.push_back("cache_write(" + at + order + ")");
}

namespace {

/// Collects loop variables (with extents) bound inside a statement.
void inner_loops(const Stmt &s, std::map<std::string, int64_t> &out) {
  if (!s) return;
  if (s->kind == StmtKind::For) out[s->loop_var] = s->extent;
  for (const auto &b : s->body) inner_loops(b, out);
}

/// Every index list with which `buf` is read (loads) or written (stores) in s.
class AccessCollector : public IRVisitor {
 public:
  explicit AccessCollector(const BufferNode *b) : buf_(b) {}
  std::vector<std::vector<Expr>> accesses;

 protected:
  void visit_Load(const Expr &e) override {
    if (e->buffer.get() == buf_) accesses.push_back(e->args);
    IRVisitor::visit_Load(e);
  }
  void visit_Store(const Stmt &s) override {
    if (s->buffer.get() == buf_) accesses.push_back(s->indices);
    IRVisitor::visit_Store(s);
  }

 private:
  const BufferNode *buf_;
};

/// True if the inner variables of f enumerate a contiguous range: sorted by
/// coefficient, each coefficient is the product of the extents below it.
bool dense(const LinearForm &f, const std::map<std::string, int64_t> &inner) {
  std::vector<std::pair<int64_t, int64_t>> terms;  // (coeff, extent)
  for (const auto &[v, k] : f.coeffs)
    if (k != 0) terms.push_back({k, inner.at(v)});
  std::sort(terms.begin(), terms.end());
  int64_t expect = 1;
  for (const auto &[k, ext] : terms) {
    if (k != expect) return false;
    expect *= ext;
  }
  return true;
}

Expr from_linear(const LinearForm &f, int64_t constant) {
  Expr e = int_imm(constant);
  for (const auto &[v, c] : f.coeffs)
    if (c != 0) e = var(v) * int_imm(c) + e;
  return e;
}

/// Redirects accesses of `global` to `local` with rebased indices.
class Redirect : public IRMutator {
 public:
  Redirect(const Buffer &g, const Buffer &l, const std::map<std::string, int64_t> &inner,
           const std::vector<int64_t> &lo_const, const std::vector<size_t> &order)
      : g_(g), l_(l), inner_(inner), lo_(lo_const), order_(order) {}

 protected:
  Expr mutate_Load(const Expr &e) override {
    Expr r = IRMutator::mutate_Load(e);
    if (r->buffer != g_) return r;
    return load(l_, rebase(r->args));
  }
  Stmt mutate_Store(const Stmt &s) override {
    Stmt r = IRMutator::mutate_Store(s);
    if (r->buffer != g_) return r;
    return store(l_, rebase(r->indices), r->value);
  }

 private:
  std::vector<Expr> rebase(const std::vector<Expr> &idx) {
    std::vector<Expr> out;
    for (size_t d = 0; d < idx.size(); ++d) {
      LinearForm f = linear_form(idx[d], inner_);
      out.push_back(from_linear(f, f.constant - lo_[d]));
    }
    if (order_.empty()) return out;
    std::vector<Expr> permuted;
    for (size_t d : order_) permuted.push_back(out[d]);
    return permuted;
  }
  const Buffer &g_, &l_;
  const std::map<std::string, int64_t> &inner_;
  const std::vector<int64_t> &lo_;
  const std::vector<size_t> &order_;
};

}  // namespace

tir::PrimFunc Schedule::lower(bool count_flops) const {
  if (!tensorized_.empty()) check_tensorize();
  if (unguarded_) check_unguard();
  if (padded_) check_pad_tiles();
  // Root axis expressions in terms of leaf loop variables.
  std::map<std::string, Expr> expr;
  // A loop of extent 1 contributes the constant 0 (keeps staged boxes static).
  for (const auto &l : leaves_) expr[l.name] = l.extent == 1 ? int_imm(0) : var(l.name);
  // Bounds of splits that do not divide: those of reduce axes guard only the
  // update (the init and epilogue nests run outside the reduce loops).
  Expr guard, reduce_guard;
  std::set<std::string> reduce_axes;
  for (const auto &iv : def_.axes)
    if (iv.reduce) reduce_axes.insert(iv.name);
  for (const auto &r : relations_) {
    if (r.is_split && reduce_axes.count(r.split.parent)) {
      reduce_axes.insert(r.split.outer);
      reduce_axes.insert(r.split.inner);
    } else if (!r.is_split && reduce_axes.count(r.fuse.outer)) {
      reduce_axes.insert(r.fuse.fused);
    }
  }
  for (auto it = relations_.rbegin(); it != relations_.rend(); ++it) {
    if (it->is_split) {
      const Split &s = it->split;
      expr[s.parent] = expr[s.outer] * int_imm(s.factor) + expr[s.inner];
      int64_t ext = extents_.at(s.parent);
      if (ext % s.factor != 0) {
        Expr &gd = reduce_axes.count(s.parent) ? reduce_guard : guard;
        gd = logical_and(gd, lt(expr[s.parent], int_imm(ext)));
      }
    } else {
      const Fuse &f = it->fuse;
      int64_t inner_ext = extents_.at(f.inner);
      if (extents_.at(f.outer) == 1) {  // nothing to divide
        expr[f.outer] = int_imm(0);
        expr[f.inner] = expr[f.fused];
      } else {
        expr[f.outer] = floordiv(expr[f.fused], int_imm(inner_ext));
        expr[f.inner] = floormod(expr[f.fused], int_imm(inner_ext));
      }
    }
  }
  std::vector<std::pair<std::string, Expr>> root;
  for (const auto &iv : def_.axes) root.push_back({iv.name, expr.at(iv.name)});
  auto at_root = [&](const Expr &e) { return e ? substitute(e, root) : e; };

  std::vector<Expr> out_idx;
  for (size_t d = 0; d < def_.num_spatial(); ++d) out_idx.push_back(expr.at(def_.axes[d].name));
  const Buffer &out = def_.output;
  Expr value = at_root(def_.value), cond = at_root(def_.cond);
  Expr epilogue = def_.epilogue
                      ? substitute(at_root(def_.epilogue), {{ComputeDef::kAcc, load(out, out_idx)}})
                      : nullptr;

  const size_t R = first_reduce();
  const size_t m = leaves_.size();

  auto cache_at = [&](const std::string &at) {
    std::vector<const Cache *> r;
    for (const auto &c : caches_)
      if (c.at == at) r.push_back(&c);
    return r;
  };

  // Wraps `body` (the inside of loop `at`) in the stages attached to `at`
  // (those `pick` accepts).
  auto apply_caches = [&](const std::string &at, Stmt body,
                          const std::function<bool(const Cache &)> &pick = nullptr) {
    for (const Cache *c : cache_at(at)) {
      if (pick && !pick(*c)) continue;
      Buffer g = out;
      if (!c->buffer.empty())
        for (const auto &b : def_.inputs)
          if (b->name == c->buffer) g = b;
      std::map<std::string, int64_t> inner;
      inner_loops(body, inner);
      AccessCollector acc(g.get());
      acc.visit(body);
      if (acc.accesses.empty()) continue;  // not used at this level
      size_t rank = g->shape.size();
      std::vector<Expr> lo(rank);
      std::vector<int64_t> lo_c(rank), shape(rank);
      for (size_t d = 0; d < rank; ++d) {
        Expr sym;
        int64_t mn = INT64_MAX, mx = INT64_MIN;
        for (size_t a = 0; a < acc.accesses.size(); ++a) {
          LinearForm f = linear_form(acc.accesses[a][d], inner);
          if (!f.ok)
            fail("cache " + g->name, "index of dimension " + std::to_string(d) +
                                         " is not affine in the loops inside '" + at + "'");
          if (a == 0)
            sym = f.sym;
          else if (!equal(sym, f.sym))
            fail("cache " + g->name, "accesses in dimension " + std::to_string(d) +
                                         " are not a constant distance apart");
          int64_t lo_a = f.constant, hi_a = f.constant;
          for (const auto &[v, k] : f.coeffs) {
            int64_t span = k * (inner.at(v) - 1);
            (span < 0 ? lo_a : hi_a) += span;
          }
          mn = std::min(mn, lo_a);
          mx = std::max(mx, hi_a);
          if (c->buffer.empty() && !dense(f, inner))
            fail("cache_write", "the output index of dimension " + std::to_string(d) +
                                    " does not cover its box densely");
        }
        lo_c[d] = mn;
        shape[d] = mx - mn + 1;
        lo[d] = sym ? sym + int_imm(mn) : int_imm(mn);
        // An input box that starts at 0 in this dim in every iteration and
        // spans at least half of it is widened to the whole dim: its rows
        // then merge into longer contiguous runs (e.g. the even columns a
        // stride-2 Conv reads, 13 of 14); at most twice the LDM in that dim.
        if (!c->buffer.empty() && !sym && mn == 0 && shape[d] < g->shape[d] &&
            2 * shape[d] >= g->shape[d])
          shape[d] = g->shape[d];
      }
      std::vector<int64_t> local_shape = shape;
      for (size_t k = 0; k < c->order.size(); ++k) local_shape[k] = shape[c->order[k]];
      Buffer local = make_buffer(g->name + "_l", local_shape, Scope::Local, g->elem);
      Redirect rd(g, local, inner, lo_c, c->order);
      // A loop of one step has no next box to fetch: no second copy.
      // Unguarded max: the box past the tensor holds the max's initial value.
      Expr fill = unguarded_ && def_.combiner == Combiner::Max && !c->buffer.empty() ? def_.init
                                                                                   : nullptr;
      body = stage(g, local, lo, c->buffer.empty() ? StageDir::Out : StageDir::In,
                   rd.mutate(body), c->double_buffer && axis(at).extent > 1, c->order, fill);
    }
    return body;
  };

  // The micro-kernel may store its sums (For::overwrite) when it holds the
  // whole reduction: a Sum from 0, or a Max from a float constant, and no
  // reduce loop of more than one step between the init nest and it (the
  // init nest runs at the same level).
  bool overwrite = !tensorized_.empty() && def_.init && def_.init->kind == ExprKind::FloatImm &&
                   ((def_.combiner == Combiner::Sum && def_.init->float_value == 0.0) ||
                    def_.combiner == Combiner::Max);
  for (size_t k = first_reduce(); overwrite && k < leaves_.size(); ++k) {
    if (leaves_[k].name == tensorized_) break;
    if (leaves_[k].reduce && leaves_[k].extent > 1) overwrite = false;
  }

  auto nest = [&](size_t from, bool spatial_only, bool with_caches, Stmt body) {
    for (size_t k = m; k-- > from;) {
      const LeafAxis &l = leaves_[k];
      if (spatial_only && l.reduce) continue;
      if (with_caches) body = apply_caches(l.name, body);
      // Only the reduction nest is the micro-kernel (init and epilogue are plain loops).
      const bool mk = with_caches && l.name == tensorized_;
      body = for_loop(l.name, l.extent, l.kind, body, mk, mk && overwrite);
    }
    return body;
  };

  Stmt inner;
  std::set<std::string> staged_with_epilogue;  // inputs whose stage wraps the epilogue
  if (def_.combiner == Combiner::None) {
    inner = if_then(guard, store(out, out_idx, value));
  } else {
    Expr cur = load(out, out_idx);
    // A micro-kernel that holds the whole reduction needs no init nest: the
    // update takes 0 for Y at the first step of the reduce loops inside it
    // (exact as written; the micro-kernel stores its sums). Only where that
    // step runs for every element inside the tensor: no guard on the update
    // but the tile's own (elements past the tensor are never written back).
    const bool no_init = overwrite && (unguarded_ || (!cond && !reduce_guard));
    if (no_init) {
      Expr first;
      bool inside = false;
      for (const auto &l : leaves_) {
        inside = inside || l.name == tensorized_;
        if (inside && l.reduce && l.extent > 1) first = logical_and(first, lt(var(l.name), int_imm(1)));
      }
      if (first) cur = select(first, at_root(def_.init), cur);
    }
    const BinaryOp comb = def_.combiner == Combiner::Sum   ? BinaryOp::Add
                          : def_.combiner == Combiner::Max ? BinaryOp::Max
                          : def_.combiner == Combiner::Min ? BinaryOp::Min
                                                           : BinaryOp::Mul;
    Expr upd = binary(comb, cur, value);
    const Expr tile_guard = padded_ ? nullptr : guard;
    Stmt init = no_init ? nullptr
                        : nest(R, true, false,
                               if_then(tile_guard, store(out, out_idx, at_root(def_.init))));
    Stmt main = nest(R, false, true,
                     if_then(unguarded_ ? nullptr : logical_and(logical_and(guard, reduce_guard), cond),
                             store(out, out_idx, upd)));
    Stmt epi = epilogue ? nest(R, true, false, if_then(tile_guard, store(out, out_idx, epilogue)))
                        : nullptr;
    // Inputs staged just outside the reduction that only the epilogue reads
    // (a bias, the other operand of a fused Add) are fetched after it, in
    // LDM the reduction's inner stages have finished with: their stages wrap
    // the epilogue alone, beside the reduction nest (tir local_layout gives
    // siblings the same offsets).
    if (epi && R > 0) {
      for (const Cache *c : cache_at(leaves_[R - 1].name)) {
        if (c->buffer.empty() || c->double_buffer) continue;
        for (const auto &b : def_.inputs)
          if (b->name == c->buffer) {
            AccessCollector in_init(b.get()), in_main(b.get());
            if (init) in_init.visit(init);
            in_main.visit(main);
            if (in_init.accesses.empty() && in_main.accesses.empty())
              staged_with_epilogue.insert(c->buffer);
          }
      }
      epi = apply_caches(leaves_[R - 1].name, epi,
                         [&](const Cache &c) { return staged_with_epilogue.count(c.buffer) > 0; });
    }
    inner = seq({init, main, epi});
  }
  Stmt body = inner;
  // (A buffer is staged once, so only the loop just outside the reduction
  // has stages to leave out here.)
  auto not_with_epilogue = [&](const Cache &c) {
    return staged_with_epilogue.count(c.buffer) == 0;
  };
  for (size_t k = R; k-- > 0;) {
    const LeafAxis &l = leaves_[k];
    body = for_loop(l.name, l.extent, l.kind, apply_caches(l.name, body, not_with_epilogue));
  }
  PrimFunc f;
  f.name = def_.name;
  f.params = def_.inputs;
  f.params.push_back(out);
  f.body = body;
  verify(f);
  for (const auto &p : packs_) f = tir::pack_layout(f, p.buffer, p.dim, p.block);
  if (count_flops) f.flops = executed_flops(f);
  return f;
}

}  // namespace swtc::schedule
