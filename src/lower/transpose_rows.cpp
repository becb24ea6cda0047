#include "lower/transpose_rows.h"

#include <map>

#include "tir/functor.h"

namespace swtc::lower {

using namespace tir;

namespace {
/// Counts the loads of `buffer` and replaces each by a load of `to` at the
/// last two indices swapped.
struct SwapRows : IRMutator {
  const BufferNode *from;
  Buffer to;
  int loads = 0;
  SwapRows(const BufferNode *f, Buffer t) : from(f), to(std::move(t)) {}
  Expr mutate_Load(const Expr &e) override {
    if (e->buffer.get() != from) return IRMutator::mutate_Load(e);
    ++loads;
    const size_t n = e->args.size();
    return load(to, {e->args[n - 1], e->args[n - 2]});
  }
};

/// True if every index of `e` but the last two is the constant 0.
bool leading_zeros(const Expr &e) {
  for (size_t d = 0; d + 2 < e->args.size(); ++d)
    if (e->args[d]->kind != ExprKind::IntImm || e->args[d]->int_value != 0) return false;
  return true;
}

struct FindLoads : IRVisitor {
  const BufferNode *buffer;
  std::vector<Expr> found;
  explicit FindLoads(const BufferNode *b) : buffer(b) {}
  void visit_Load(const Expr &e) override {
    if (e->buffer.get() == buffer) found.push_back(e);
    IRVisitor::visit_Load(e);
  }
};
}  // namespace

std::vector<Kernel> transpose_matmul_rows(graph::Graph &g, std::vector<Kernel> kernels,
                                          int64_t min_rows, int64_t min_k, int64_t min_n) {
  std::map<int, int> transposed;  // value A -> value A^T
  std::vector<Kernel> out;
  for (Kernel &k : kernels) {
    schedule::ComputeDef &d = k.def;
    const bool matmul = k.node >= 0 && g.nodes[static_cast<size_t>(k.node)].op == graph::OpKind::MatMul;
    if (!matmul || d.combiner != schedule::Combiner::Sum || k.values.size() < 3 ||
        d.inputs.size() + 1 != k.values.size()) {
      out.push_back(std::move(k));
      continue;
    }
    const int av = k.values[0], wv = k.values[1];
    const graph::Value &a = g.values[static_cast<size_t>(av)], &w = g.values[static_cast<size_t>(wv)];
    const graph::Shape &as = a.shape;
    bool ok = !a.constant && a.dtype == graph::DType::F32 && w.constant && w.shape.size() == 2 &&
              as.size() >= 2;
    int64_t M = 0, K = 0, N = 0;
    if (ok) {
      M = as[as.size() - 2];
      K = as.back();
      N = w.shape[1];
      for (size_t i = 0; i + 2 < as.size(); ++i) ok = ok && as[i] == 1;
      ok = ok && w.shape[0] == K && M >= min_rows && K >= min_k && N >= min_n;
    }
    // A read once, in the product (not by the epilogue), at [0, .., m, k].
    if (ok) {
      FindLoads in_value(d.inputs[0].get()), elsewhere(d.inputs[0].get());
      in_value.visit(d.value);
      if (d.epilogue) elsewhere.visit(d.epilogue);
      if (d.cond) elsewhere.visit(d.cond);
      ok = in_value.found.size() == 1 && elsewhere.found.empty() &&
           leading_zeros(in_value.found[0]);
    }
    if (!ok) {
      out.push_back(std::move(k));
      continue;
    }
    auto it = transposed.find(av);
    if (it == transposed.end()) {
      graph::Value t;
      t.name = a.name + "/swtc_transposed";
      t.dtype = graph::DType::F32;
      t.shape = {K, M};
      t.has_shape = true;
      const int tv = g.add_value(std::move(t));
      Kernel tk;
      tk.def.name = d.name + "_a_t";
      tk.def.output = make_buffer("y", {K, M}, Scope::Global);
      Buffer x = make_buffer("x", as, Scope::Global);
      tk.def.inputs = {x};
      tk.def.axes = {{"i", K, false}, {"j", M, false}};
      std::vector<Expr> idx(as.size(), int_imm(0));
      idx[as.size() - 2] = var("j");
      idx[as.size() - 1] = var("i");
      tk.def.value = load(x, idx);
      tk.def.flops_per_point = 0;
      tk.values = {av, tv};
      out.push_back(std::move(tk));
      it = transposed.emplace(av, tv).first;
    }
    Buffer at = make_buffer(d.inputs[0]->name, {K, M}, Scope::Global);
    SwapRows sw(d.inputs[0].get(), at);
    d.value = sw.mutate(d.value);
    d.inputs[0] = at;
    k.values[0] = it->second;
    out.push_back(std::move(k));
  }
  return out;
}

bool is_row_transpose(const Kernel &k) {
  const std::string &n = k.def.name;
  return k.node < 0 && n.size() > 4 && n.compare(n.size() - 4, 4, "_a_t") == 0;
}

}  // namespace swtc::lower
