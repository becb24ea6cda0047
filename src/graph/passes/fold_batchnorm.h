// BatchNorm folding: Conv followed by an inference BatchNormalization becomes
// one Conv with scaled weights and a shifted bias.
#pragma once

#include "graph/graph.h"

namespace swtc::graph {

/// For each BatchNormalization whose input is the only use of a Conv's output
/// and whose parameters and the Conv's weights (and bias) are constants:
/// W'[o] = W[o] * s[o], b'[o] = (b[o] - mean[o]) * s[o] + beta[o] with
/// s = gamma / sqrt(var + eps); the BatchNormalization becomes an Identity of
/// the new Conv's output (canonicalize removes it). Other nodes are unchanged.
Graph fold_batchnorm(const Graph &g);

}  // namespace swtc::graph
