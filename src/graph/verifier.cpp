#include "graph/verifier.h"

#include <set>

#include "common/error.h"

namespace swtc::graph {

namespace {

class Verifier {
 public:
  explicit Verifier(const Graph &g) : g_(g), defined_(g.values.size(), false) {}

  void run() {
    std::set<std::string> names;
    for (size_t v = 0; v < g_.values.size(); ++v) {
      const Value &val = g_.values[v];
      if (val.name.empty()) internal_error("verify: value #", v, " has no name");
      if (!names.insert(val.name).second)
        internal_error("verify: value name '", val.name, "' is used by more than one value");
      if (val.constant) {
        if (val.producer != -1)
          internal_error("verify: constant '", val.name, "' has producer ", val.producer);
        if (val.constant->dtype != val.dtype || val.constant->shape != val.shape)
          internal_error("verify: constant '", val.name, "' is declared ", dtype_name(val.dtype),
                         shape_str(val.shape), " but holds ", dtype_name(val.constant->dtype),
                         shape_str(val.constant->shape));
        defined_[v] = true;
      }
    }
    for (int id : g_.inputs) {
      check_id(id, "graph input");
      const Value &val = g_.values[id];
      if (val.constant) internal_error("verify: graph input '", val.name, "' is a constant");
      if (val.producer != -1)
        internal_error("verify: graph input '", val.name, "' is produced by ",
                       g_.describe(val.producer));
      if (defined_[id]) internal_error("verify: graph input '", val.name, "' is listed twice");
      defined_[id] = true;
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) check_node(static_cast<int>(i));
    for (int id : g_.outputs) {
      check_id(id, "graph output");
      if (!defined_[id])
        internal_error("verify: graph output '", g_.values[id].name, "' is never defined");
    }
    for (size_t v = 0; v < g_.values.size(); ++v) {
      const Value &val = g_.values[v];
      if (!defined_[v] && val.producer != -1)
        internal_error("verify: value '", val.name, "' claims producer ", val.producer,
                       " which does not output it");
      if (defined_[v]) check_shape(static_cast<int>(v));
    }
  }

 private:
  void check_id(int id, const std::string &what) const {
    if (id < 0 || id >= static_cast<int>(g_.values.size()))
      internal_error("verify: ", what, " id ", id, " out of range [0, ", g_.values.size(), ")");
  }

  void check_shape(int id) const {
    const Value &val = g_.values[id];
    if (!val.has_shape) internal_error("verify: value '", val.name, "' has no shape");
    for (int64_t d : val.shape)
      if (d < 0)
        internal_error("verify: value '", val.name, "' has shape ", shape_str(val.shape));
  }

  void check_node(int i) {
    const Node &n = g_.nodes[i];
    std::string who = g_.describe(i);
    if (n.name.empty()) internal_error("verify: node #", i, " has no name");
    OpArity a = op_arity(n.op);
    int ni = static_cast<int>(n.inputs.size()), no = static_cast<int>(n.outputs.size());
    if (ni < a.min_inputs || ni > a.max_inputs)
      internal_error("verify: ", who, " has ", ni, " inputs, expected ", a.min_inputs, "..",
                     a.max_inputs);
    if (no < a.min_outputs || no > a.max_outputs)
      internal_error("verify: ", who, " has ", no, " outputs, expected ", a.min_outputs, "..",
                     a.max_outputs);
    for (int k = 0; k < ni; ++k) {
      int id = n.inputs[k];
      if (id == -1) {
        if (k < a.min_inputs) internal_error("verify: ", who, " misses required input #", k);
        continue;
      }
      check_id(id, str_cat(who, " input #", k));
      if (!defined_[id])
        internal_error("verify: ", who, " uses '", g_.values[id].name,
                       "' before it is defined (not a graph input, constant or earlier output)");
    }
    for (int id : n.outputs) {
      check_id(id, str_cat(who, " output"));
      const Value &val = g_.values[id];
      if (defined_[id])
        internal_error("verify: ", who, " redefines '", val.name, "' (already defined)");
      if (val.producer != i)
        internal_error("verify: ", who, " outputs '", val.name, "' whose producer is ",
                       val.producer);
      defined_[id] = true;
    }
  }

  const Graph &g_;
  std::vector<bool> defined_;
};

}  // namespace

void verify(const Graph &g) { Verifier(g).run(); }

}  // namespace swtc::graph
