#include "lower/inline_producers.h"

#include <map>
#include <set>

#include "common/error.h"
#include "lower/transpose_rows.h"
#include "tir/functor.h"

namespace swtc::lower {

using namespace tir;

namespace {

/// True if an expression calls a math function (expf, erff, ...).
class HasCall : public IRVisitor {
 public:
  bool found = false;

 protected:
  void visit_Call(const Expr &e) override {
    found = true;
    IRVisitor::visit_Call(e);
  }
};

bool has_call(const Expr &e) {
  if (!e) return false;
  HasCall h;
  h.visit(e);
  return h.found;
}

/// True if an expression loads at an index computed from a load (a gather:
/// its reader would stage the whole gathered tensor, which need not fit a
/// CPE's LDM: the 5-D NegativeLogLikelihoodLoss with weights).
class HasIndirectLoad : public IRVisitor {
 public:
  bool found = false;

 protected:
  void visit_Load(const Expr &e) override {
    depth_ += 1;
    if (depth_ > 1) found = true;
    IRVisitor::visit_Load(e);
    depth_ -= 1;
  }

 private:
  int depth_ = 0;
};

bool has_indirect_load(const Expr &e) {
  if (!e) return false;
  HasIndirectLoad h;
  h.visit(e);
  return h.found;
}

/// Loads of any of `bufs` in an expression.
class CountLoads : public IRVisitor {
 public:
  explicit CountLoads(const std::set<const BufferNode *> &bufs) : bufs_(bufs) {}
  int64_t n = 0;

 protected:
  void visit_Load(const Expr &e) override {
    if (bufs_.count(e->buffer.get())) ++n;
    IRVisitor::visit_Load(e);
  }

 private:
  const std::set<const BufferNode *> &bufs_;
};

int64_t count_loads(const Expr &e, const std::set<const BufferNode *> &bufs) {
  if (!e) return 0;
  CountLoads c(bufs);
  c.visit(e);
  return c.n;
}

/// P's value at given indices: P's axes replaced, P's buffers renamed.
class Substitute : public IRMutator {
 public:
  Substitute(std::map<std::string, Expr> vars, std::map<const BufferNode *, Buffer> bufs)
      : vars_(std::move(vars)), bufs_(std::move(bufs)) {}

 protected:
  Expr mutate_Var(const Expr &e) override {
    auto it = vars_.find(e->name);
    return it == vars_.end() ? e : it->second;
  }
  Expr mutate_Load(const Expr &e) override {
    std::vector<Expr> idx;
    for (const auto &a : e->args) idx.push_back(mutate(a));
    auto it = bufs_.find(e->buffer.get());
    SWTC_CHECK(it != bufs_.end(), "inlining: unknown buffer ", e->buffer->name);
    return load(it->second, idx);
  }

 private:
  std::map<std::string, Expr> vars_;
  std::map<const BufferNode *, Buffer> bufs_;
};

/// Replaces the reader's loads of P's output by P's value.
class Inline : public IRMutator {
 public:
  Inline(const std::set<const BufferNode *> &from, const schedule::ComputeDef &p,
         std::map<const BufferNode *, Buffer> bufs)
      : from_(from), p_(p), bufs_(std::move(bufs)) {}

 protected:
  Expr mutate_Load(const Expr &e) override {
    std::vector<Expr> idx;
    for (const auto &a : e->args) idx.push_back(mutate(a));
    if (!from_.count(e->buffer.get())) return load(e->buffer, idx);
    SWTC_CHECK(idx.size() == p_.num_spatial(), "inlining: rank of ", e->buffer->name);
    std::map<std::string, Expr> vars;
    for (size_t d = 0; d < idx.size(); ++d) vars[p_.axes[d].name] = idx[d];
    Substitute s(std::move(vars), bufs_);
    return s.mutate(p_.value);
  }

 private:
  const std::set<const BufferNode *> &from_;
  const schedule::ComputeDef &p_;
  std::map<const BufferNode *, Buffer> bufs_;
};

int64_t domain(const schedule::ComputeDef &d, bool all) {
  int64_t n = 1;
  for (size_t i = 0; i < d.axes.size(); ++i)
    if (all || i < d.num_spatial()) n *= d.axes[i].extent;
  return n;
}

}  // namespace

std::vector<Kernel> inline_producers(const graph::Graph &g, std::vector<Kernel> kernels,
                                     const std::vector<int> &alias_of, bool math_into_reductions) {
  std::vector<int> uses(g.values.size(), 0);
  std::vector<bool> viewed(g.values.size(), false);
  for (const auto &n : g.nodes)
    for (int v : n.inputs)
      if (v >= 0) ++uses[static_cast<size_t>(v)];
  std::vector<bool> output(g.values.size(), false);  // graph outputs keep their kernels
  for (int v : g.outputs) output[static_cast<size_t>(v)] = true;
  for (size_t v = 0; v < alias_of.size(); ++v)
    if (alias_of[v] >= 0) viewed[static_cast<size_t>(alias_of[v])] = true;

  std::vector<bool> removed(kernels.size(), false);
  for (size_t pi = 0; pi < kernels.size(); ++pi) {
    const Kernel &p = kernels[pi];
    const schedule::ComputeDef &pd = p.def;
    if (p.node < 0 || pd.combiner != schedule::Combiner::None || pd.cond || !pd.value ||
        !pd.output->elem.is_float() || g.nodes[static_cast<size_t>(p.node)].outputs.size() != 1 ||
        has_indirect_load(pd.value))
      continue;
    const int v = p.values.back();
    if (v < 0 || static_cast<size_t>(v) >= alias_of.size() || viewed[static_cast<size_t>(v)] ||
        alias_of[static_cast<size_t>(v)] >= 0 || output[static_cast<size_t>(v)] ||
        uses[static_cast<size_t>(v)] == 0)
      continue;
    // Its readers: every kernel parameter bound to v (none before P).
    std::vector<size_t> readers;
    int params = 0;
    bool ok = true;
    for (size_t ci = 0; ci < kernels.size() && ok; ++ci) {
      if (removed[ci] || ci == pi) continue;
      const Kernel &c = kernels[ci];
      std::set<const BufferNode *> from;
      for (size_t i = 0; i + 1 < c.values.size(); ++i)
        if (c.values[i] == v) from.insert(c.def.inputs[i].get());
      if (from.empty()) continue;
      params += static_cast<int>(from.size());
      const schedule::ComputeDef &cd = c.def;
      const bool node_ok = c.node >= 0 ? g.nodes[static_cast<size_t>(c.node)].op != graph::OpKind::Concat &&
                                             g.nodes[static_cast<size_t>(c.node)].outputs.size() == 1
                                       : is_row_transpose(c);
      ok = ci > pi && node_ok && cd.output->elem.is_float() && !cd.cond &&
           count_loads(cd.init, from) == 0 &&
           (math_into_reductions || cd.combiner == schedule::Combiner::None ||
            !has_call(pd.value)) &&
           // Not into a reduction to one element: its tiles span the whole
           // domain, so every added input's box joins the others in a CPE's
           // LDM (the 5-D NegativeLogLikelihoodLoss with weights no longer
           // fit on sw26010).
           (cd.combiner == schedule::Combiner::None || cd.output->elements() > 1);
      if (!ok) break;
      // Each point of the reader's domain a different element of P (no
      // recomputation across points, as a Conv or MatMul reader would
      // cause), at most two loads of it (x * x).
      const int64_t in_value = count_loads(cd.value, from), in_epi = count_loads(cd.epilogue, from);
      ok = in_value + in_epi <= 2 && (in_value == 0 || domain(cd, true) <= pd.output->elements()) &&
           (in_epi == 0 || domain(cd, false) <= pd.output->elements());
      readers.push_back(ci);
    }
    // The kernels' parameters are every read of v there is (a graph node
    // reads only through its kernel's, or a fused kernel's, parameters;
    // views are excluded above); MatMuls sharing one transposed row operand
    // (transpose_rows.h) read v through that one kernel.
    (void)params;
    if (!ok || readers.empty()) continue;
    for (size_t ci : readers) {
      Kernel &c = kernels[ci];
      schedule::ComputeDef &cd = c.def;
      std::set<const BufferNode *> from;
      for (size_t i = 0; i + 1 < c.values.size(); ++i)
        if (c.values[i] == v) from.insert(cd.inputs[i].get());
      // P's inputs as new parameters of the reader (one per value), apart
      // from any it has: a schedule stages a buffer for the update or for
      // the epilogue, and the reader's own parameter of the same value may
      // be read in the other (ReduceLogSumExp: the max in the sum's value
      // and in its epilogue).
      std::map<const BufferNode *, Buffer> bufs;
      std::map<int, Buffer> added;
      for (size_t j = 0; j < pd.inputs.size(); ++j) {
        const int pv = p.values[j];
        Buffer &nb = added[pv];
        if (!nb) {
          // A name no parameter of the reader has (a reader takes several
          // producers in turn, its parameter count shrinking in between).
          std::string name;
          for (size_t k = cd.inputs.size();; ++k) {
            name = "i" + std::to_string(k) + "_" + pd.inputs[j]->name;
            bool taken = false;
            for (const auto &b : cd.inputs) taken = taken || b->name == name;
            if (!taken) break;
          }
          nb = make_buffer(name, pd.inputs[j]->shape, Scope::Global, pd.inputs[j]->elem);
          cd.inputs.push_back(nb);
          c.values.insert(c.values.end() - 1, pv);
        }
        bufs[pd.inputs[j].get()] = nb;
      }
      Inline in(from, pd, bufs);
      cd.value = in.mutate(cd.value);
      if (cd.epilogue) cd.epilogue = in.mutate(cd.epilogue);
      // The parameters bound to v are read no more.
      std::vector<Buffer> inputs;
      std::vector<int> values;
      for (size_t i = 0; i + 1 < c.values.size(); ++i)
        if (!from.count(cd.inputs[i].get())) {
          inputs.push_back(cd.inputs[i]);
          values.push_back(c.values[i]);
        }
      values.push_back(c.values.back());
      cd.inputs = std::move(inputs);
      c.values = std::move(values);
      cd.flops_per_point += pd.flops_per_point;
      std::vector<int> fused = {p.node};
      fused.insert(fused.end(), p.fused.begin(), p.fused.end());
      c.fused.insert(c.fused.begin(), fused.begin(), fused.end());
    }
    removed[pi] = true;
  }
  std::vector<Kernel> out;
  for (size_t i = 0; i < kernels.size(); ++i)
    if (!removed[i]) out.push_back(std::move(kernels[i]));
  return out;
}

}  // namespace swtc::lower
