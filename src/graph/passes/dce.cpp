#include "graph/passes/dce.h"

#include "graph/shape_inference.h"
#include "graph/verifier.h"

namespace swtc::graph {

Graph eliminate_dead_code(const Graph &g) {
  size_t nv = g.values.size();
  std::vector<bool> used(nv, false), live(g.nodes.size(), false);
  for (int id : g.outputs) used[id] = true;
  for (size_t i = g.nodes.size(); i-- > 0;) {
    const Node &n = g.nodes[i];
    for (int id : n.outputs) live[i] = live[i] || used[id];
    if (!live[i]) continue;
    for (int id : n.inputs)
      if (id >= 0) used[id] = true;
  }
  std::vector<bool> keep(nv, false);
  for (int id : g.inputs) keep[id] = true;
  for (int id : g.outputs) keep[id] = true;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!live[i]) continue;
    for (int id : g.nodes[i].inputs)
      if (id >= 0) keep[id] = true;
    for (int id : g.nodes[i].outputs) keep[id] = true;
  }
  Graph ng;
  ng.name = g.name;
  ng.opset = g.opset;
  std::vector<int> remap(nv, -1);
  for (size_t v = 0; v < nv; ++v) {
    if (!keep[v]) continue;
    Value val = g.values[v];
    val.producer = -1;
    remap[v] = ng.add_value(std::move(val));
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!live[i]) continue;
    Node n = g.nodes[i];
    for (int &id : n.inputs)
      if (id >= 0) id = remap[id];
    for (int &id : n.outputs) {
      id = remap[id];
      ng.values[id].producer = static_cast<int>(ng.nodes.size());
    }
    ng.nodes.push_back(std::move(n));
  }
  for (int id : g.inputs) ng.inputs.push_back(remap[id]);
  for (int id : g.outputs) ng.outputs.push_back(remap[id]);
  infer_shapes(ng);
  verify(ng);
  return ng;
}

}  // namespace swtc::graph
