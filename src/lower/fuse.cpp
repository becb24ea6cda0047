#include "lower/fuse.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/error.h"
#include "tir/functor.h"

namespace swtc::lower {

using namespace tir;

namespace {

/// Uses of each value by graph nodes and graph outputs; a view's uses count
/// for its source too.
std::vector<int> use_counts(const graph::Graph &g, const std::vector<int> &alias_of) {
  std::vector<int> uses(g.values.size(), 0);
  auto use = [&](int v) {
    for (; v >= 0; v = alias_of[v]) ++uses[v];
  };
  for (const auto &n : g.nodes)
    for (int v : n.inputs)
      if (v >= 0) use(v);
  for (int v : g.outputs) use(v);
  return uses;
}

/// Whether every load of a buffer is at the consumer's own output index.
class LoadCheck : public IRVisitor {
 public:
  LoadCheck(const Buffer &b, const schedule::ComputeDef &d) : buf_(b), def_(d) {}
  bool ok = true;

 protected:
  void visit_Load(const Expr &e) override {
    if (e->buffer == buf_)
      for (size_t i = 0; i < e->args.size(); ++i) {
        int64_t c = -1;
        const bool unit = def_.axes[i].extent == 1 && is_const_int(e->args[i], &c) && c == 0;
        ok = ok && (unit || equal(e->args[i], var(def_.axes[i].name)));
      }
    IRVisitor::visit_Load(e);
  }

 private:
  const Buffer &buf_;
  const schedule::ComputeDef &def_;
};

/// Rewrites a consumer's value into the producer's terms: the producer's
/// result replaces loads of `from`, other buffers are renamed.
class Rewrite : public IRMutator {
 public:
  Rewrite(Buffer from, Expr result, std::map<const BufferNode *, Buffer> renamed,
          std::vector<std::pair<std::string, Expr>> axes)
      : from_(std::move(from)), result_(std::move(result)), renamed_(std::move(renamed)),
        axes_(std::move(axes)) {}

 protected:
  Expr mutate_Var(const Expr &e) override {
    for (const auto &[n, v] : axes_)
      if (n == e->name) return v;
    return e;
  }
  Expr mutate_Load(const Expr &e) override {
    if (e->buffer == from_) return result_;
    std::vector<Expr> idx;
    for (const auto &a : e->args) idx.push_back(mutate(a));
    auto it = renamed_.find(e->buffer.get());
    SWTC_CHECK(it != renamed_.end(), "fusion: unknown buffer ", e->buffer->name);
    return load(it->second, idx);
  }

 private:
  Buffer from_;
  Expr result_;
  std::map<const BufferNode *, Buffer> renamed_;
  std::vector<std::pair<std::string, Expr>> axes_;
};

const char *short_name(const graph::Graph &g, int node) {
  return graph::op_name(g.nodes[node].op);
}

}  // namespace

std::vector<Kernel> fuse_epilogues(const graph::Graph &g, std::vector<Kernel> kernels,
                                   const std::vector<int> &alias_of) {
  std::vector<int> uses = use_counts(g, alias_of);
  // Kernel reads too: the driver points the readers of a graph output that
  // is copied out (a view or constant output) at the copy's source, which
  // the graph does not show (fusing into that source would lose the value
  // the copy reads).
  std::vector<int> reads(uses.size(), 0);
  for (const Kernel &k : kernels)
    for (size_t i = 0; i + 1 < k.values.size(); ++i)
      for (int v = k.values[i]; v >= 0 && static_cast<size_t>(v) < reads.size(); v = alias_of[v])
        ++reads[v];
  for (size_t v = 0; v < uses.size(); ++v) uses[v] = std::max(uses[v], reads[v]);
  std::vector<Kernel> out;
  std::map<int, size_t> producer;  // value -> index in out
  for (Kernel &c : kernels) {
    const schedule::ComputeDef &cd = c.def;
    int best = -1;
    size_t best_param = 0;
    // A node with several output kernels (Split) reads its input in each: never fused.
    if (cd.combiner == schedule::Combiner::None && c.node >= 0 &&
        g.nodes[static_cast<size_t>(c.node)].outputs.size() == 1) {
      for (size_t i = 0; i + 1 < c.values.size(); ++i) {
        auto it = producer.find(c.values[i]);
        if (it == producer.end() || uses[c.values[i]] != 1) continue;
        const Kernel &p = out[it->second];
        if (p.def.output->shape != cd.output->shape) continue;
        // Integer kernels stay whole: their results wrap to their type when stored.
        if (!p.def.output->elem.is_float() || !cd.output->elem.is_float()) continue;
        LoadCheck lc(cd.inputs[i], cd);
        lc.visit(cd.value);
        if (!lc.ok) continue;
        // Every other input must be ready before the producer runs.
        bool ready = true;
        for (size_t j = 0; j + 1 < c.values.size(); ++j) {
          if (j == i) continue;
          int root = c.values[j];  // a view is ready when its source is
          while (alias_of[root] >= 0) root = alias_of[root];
          auto pj = producer.find(root);
          ready = ready && (pj == producer.end() || pj->second < it->second);
        }
        if (ready && (best < 0 || static_cast<int>(it->second) > best)) {
          best = static_cast<int>(it->second);
          best_param = i;
        }
      }
    }
    if (best < 0) {
      producer[c.values.back()] = out.size();
      out.push_back(std::move(c));
      continue;
    }
    Kernel &p = out[static_cast<size_t>(best)];
    schedule::ComputeDef &pd = p.def;
    // The producer's result at its own index: its epilogue, or its value.
    std::vector<Expr> pidx;
    for (size_t d = 0; d < pd.num_spatial(); ++d) pidx.push_back(var(pd.axes[d].name));
    const bool reduces = pd.combiner != schedule::Combiner::None;
    Expr result = reduces ? (pd.epilogue ? pd.epilogue : var(schedule::ComputeDef::kAcc))
                          : pd.value;
    std::map<const BufferNode *, Buffer> renamed;
    for (size_t j = 0; j + 1 < c.values.size(); ++j) {
      if (j == best_param) continue;
      Buffer nb = make_buffer("e" + std::to_string(pd.inputs.size()) + "_" + cd.inputs[j]->name,
                              cd.inputs[j]->shape, Scope::Global, cd.inputs[j]->elem);
      pd.inputs.push_back(nb);
      p.values.insert(p.values.end() - 1, c.values[j]);
      renamed[cd.inputs[j].get()] = nb;
    }
    std::vector<std::pair<std::string, Expr>> axes;
    for (size_t d = 0; d < cd.num_spatial(); ++d) axes.push_back({cd.axes[d].name, pidx[d]});
    Rewrite rw(cd.inputs[best_param], result, renamed, axes);
    Expr fused = rw.mutate(cd.value);
    if (reduces)
      pd.epilogue = fused;
    else
      pd.value = fused;
    pd.name += std::string("_") + short_name(g, c.node);
    for (auto &ch : pd.name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    p.fused.push_back(c.node);
    p.fused.insert(p.fused.end(), c.fused.begin(), c.fused.end());
    producer.erase(p.values.back());
    p.values.back() = c.values.back();
    producer[c.values.back()] = static_cast<size_t>(best);
  }
  return out;
}

}  // namespace swtc::lower
