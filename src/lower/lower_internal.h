// Shared helpers of the per-op-family lowering files.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "lower/lower.h"
#include "tir/tir.h"

namespace swtc::lower::detail {

using tir::Expr;

/// Stops with `node '<name>' (<Op>, opset N): not supported: <why>`, the form
/// every unsupported feature of a supported op takes.
template <typename... A>
[[noreturn]] void not_supported(const graph::Graph &g, int node_id, const A &...why) {
  const graph::Node &n = g.nodes[node_id];
  user_error("node '", printable(n.name), "' (", graph::op_name(n.op), ", opset ", g.opset,
             "): not supported: ", why...);
}

/// Kernel skeleton: named spatial axes over output `output` of the node.
Kernel start_kernel(const graph::Graph &g, int node_id, const std::vector<std::string> &axis_names,
                    size_t output = 0);
/// Adds graph value `value` as input parameter `param`; returns its buffer.
tir::Buffer add_input(Kernel &k, const graph::Graph &g, int value, const std::string &param);
/// Adds a reduce axis.
Expr add_reduce(Kernel &k, const std::string &name, int64_t extent);
/// The variable of spatial axis d.
Expr axis(const Kernel &k, size_t d);
/// Index into an input of shape `in` broadcast (numpy rules) to the output.
std::vector<Expr> broadcast_index(const Kernel &k, const std::vector<int64_t> &in);

/// Guard `0 <= i < size` for an index ranging over [lowest, highest],
/// keeping only the halves that can fail (null: always in range).
Expr in_range(Expr i, int64_t lowest, int64_t highest, int64_t size);

/// Whether the lowering of `op` handles integer tensors (else float32 only).
bool supports_int(graph::OpKind op);
/// Whether `op` takes or gives bool tensors (comparisons, logical ops, Not,
/// Where, Cast): no other op may (an integer kernel would not keep 0 / 1).
bool supports_bool(graph::OpKind op);
/// The tensor-IR element type of a graph dtype.
tir::Elem elem_of(graph::DType t);

using LowerFn = Kernel (*)(const graph::Graph &g, int node_id);
Kernel lower_conv(const graph::Graph &g, int node_id);
Kernel lower_pool(const graph::Graph &g, int node_id);
Kernel lower_global_pool(const graph::Graph &g, int node_id);
Kernel lower_gemm(const graph::Graph &g, int node_id);
Kernel lower_batchnorm(const graph::Graph &g, int node_id);
Kernel lower_binary(const graph::Graph &g, int node_id);
Kernel lower_unary(const graph::Graph &g, int node_id);
Kernel lower_where(const graph::Graph &g, int node_id);
Kernel lower_matmul(const graph::Graph &g, int node_id);
Kernel lower_transpose(const graph::Graph &g, int node_id);
Kernel lower_concat(const graph::Graph &g, int node_id);
Kernel lower_slice(const graph::Graph &g, int node_id);
/// Split's kernel of output `output` (canonicalized: `axis`, `split` sizes).
Kernel lower_split(const graph::Graph &g, int node_id, size_t output);
Kernel lower_reduce(const graph::Graph &g, int node_id);
Kernel lower_argreduce(const graph::Graph &g, int node_id);
Kernel lower_gather(const graph::Graph &g, int node_id);  // Gather, GatherElements
Kernel lower_trilu(const graph::Graph &g, int node_id);
Kernel lower_pad(const graph::Graph &g, int node_id);

}  // namespace swtc::lower::detail
