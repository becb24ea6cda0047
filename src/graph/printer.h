// A stable, readable text dump of a graph (for --dump-after, tests, debugging).
#pragma once

#include <string>

#include "graph/graph.h"

namespace swtc::graph {

/// Example:
///   graph resnet18 (opset 13)
///     input  %input: f32[1,3,224,224]
///     const  %conv1.weight: f32[64,3,7,7]
///     %x1: f32[1,64,112,112] = Conv(%input, %conv1.weight) {group=1, strides=[2,2]}  # /conv1/Conv
///     output %output
/// Constants with at most 8 elements also show their values (`= [1,-1]`).
/// Attributes are sorted by name; an omitted optional input prints as `_`;
/// a value without a shape prints its type as `?`. Deterministic.
std::string to_text(const Graph &g);

/// One attribute value as to_text prints it (`[1,1]`, `0.5`, `"SAME_UPPER"`).
std::string attr_str(const AttrValue &v);

}  // namespace swtc::graph
