// Graph op -> ComputeDef (the loop-level definition a Schedule works on).
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "schedule/compute.h"

namespace swtc::lower {

/// One kernel of the model: what it computes and which graph values its
/// parameters are (def.inputs in order, then the output).
struct Kernel {
  int node = -1;  // graph node it came from
  std::vector<int> fused;  // nodes fused into it as its epilogue, in order
  schedule::ComputeDef def;
  std::vector<int> values;  // graph value id per kernel parameter
};

/// True for ops that only reinterpret their input's shape (Flatten, Reshape,
/// Identity): they share the input's storage and need no kernel.
bool is_view(graph::OpKind op);

/// Lowers node `node_id` of a canonicalized graph (explicit attributes) into
/// a kernel. Pre: !is_view(op). Unsupported attribute values are user errors
/// naming the node.
Kernel lower_node(const graph::Graph &g, int node_id);

/// Lowers node `node_id` into one kernel per output, in output order: the
/// kernels of every op but Split are lower_node's one; Split gives a kernel
/// per output (named "<kernel_name>_<k>"), each copying its part of the input.
std::vector<Kernel> lower_node_outputs(const graph::Graph &g, int node_id);

/// A kernel copying value `from` into value `to` (same element count), for a
/// view whose result must live in its own buffer (a graph output).
Kernel lower_copy(const graph::Graph &g, int from, int to, const std::string &name);

/// A C identifier for node `node_id`'s kernel: "k<index>_<op>", stable.
std::string kernel_name(const graph::Graph &g, int node_id);

}  // namespace swtc::lower
