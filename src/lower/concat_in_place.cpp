#include "lower/concat_in_place.h"

#include <map>
#include <set>

namespace swtc::lower {

std::vector<Kernel> place_concats(const graph::Graph &g, std::vector<Kernel> kernels,
                                  std::vector<int> &alias_of,
                                  std::vector<int64_t> &alias_offset,
                                  std::vector<std::string> *placed) {
  alias_of.resize(g.values.size(), -1);
  alias_offset.resize(g.values.size(), 0);
  std::set<int> graph_io(g.inputs.begin(), g.inputs.end());
  graph_io.insert(g.outputs.begin(), g.outputs.end());
  std::map<int, int> writers;  // value -> number of kernels writing it
  for (const Kernel &k : kernels) ++writers[k.values.back()];

  std::vector<Kernel> out;
  std::set<int> written;  // values written by the kernels kept so far
  for (Kernel &k : kernels) {
    const bool concat = k.node >= 0 && g.nodes[static_cast<size_t>(k.node)].op ==
                                           graph::OpKind::Concat;
    bool ok = concat && k.fused.empty();
    const graph::Node *n = ok ? &g.nodes[static_cast<size_t>(k.node)] : nullptr;
    const int o = k.values.back();
    ok = ok && n->outputs.size() == 1 && n->outputs[0] == o && !graph_io.count(o) &&
         alias_of[o] < 0;
    std::vector<std::pair<int, int64_t>> parts;
    if (ok) {
      const auto &shape = g.values[o].shape;
      int64_t ax = n->attr_int("axis", 0);
      if (ax < 0) ax += static_cast<int64_t>(shape.size());
      for (int64_t d = 0; d < ax; ++d) ok = ok && shape[static_cast<size_t>(d)] == 1;
      int64_t inner = graph::dtype_bytes(g.values[o].dtype);
      for (size_t d = static_cast<size_t>(ax) + 1; d < shape.size(); ++d) inner *= shape[d];
      int64_t off = 0;
      std::set<int> seen;
      for (int v : n->inputs) {
        const graph::Value &val = g.values[static_cast<size_t>(v)];
        ok = ok && v >= 0 && seen.insert(v).second && !graph_io.count(v) && !val.constant &&
             val.producer >= 0 && alias_of[v] < 0 && writers[v] == 1 && written.count(v) &&
             off % 64 == 0;
        if (!ok) break;
        parts.push_back({v, off});
        off += val.shape[static_cast<size_t>(ax)] * inner;
      }
    }
    written.insert(o);
    if (!ok) {
      out.push_back(std::move(k));
      continue;
    }
    for (const auto &[v, off] : parts) {
      alias_of[v] = o;
      alias_offset[v] = off;
    }
    if (placed) placed->push_back(k.def.name);
  }
  return out;
}

}  // namespace swtc::lower
