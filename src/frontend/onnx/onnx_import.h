// The ONNX frontend: parses a ModelProto (protobuf) and maps it to the graph IR.
#pragma once

#include <functional>
#include <string>

#include "graph/graph.h"

namespace swtc::frontend {

/// Imports an .onnx file. The result has shapes inferred and is verified; it is
/// NOT canonicalized (the driver runs graph::canonicalize). Every problem with
/// the file or model is a swtc::UserError: unreadable or malformed file (names
/// the file), opset outside [7, 18], unsupported op
/// (`node 'n' (Sin, opset 13): not supported`), unsupported data type,
/// a symbolic or unknown input dimension that `shapes` does not fix (the
/// error names the --shape flag), shape errors.
/// The graph is named after the ONNX graph name, or the file stem if empty.
/// Called on the graph after its inputs, initializers and nodes are read and
/// before shapes are inferred (e.g. to bind inputs to constants).
using BeforeShapes = std::function<void(graph::Graph &)>;

/// Static shapes given for graph inputs (`--shape NAME=D0,D1,...`): each must
/// name a graph input and agree with its rank and fixed dimensions; it gives
/// the input's symbolic (dim_param) and unknown dimensions, and a dim_param
/// bound so takes the same value in every other input that uses it (two
/// different values for one dim_param are an error naming both inputs).
using InputShapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;

graph::Graph import_onnx_file(const std::string &path, const BeforeShapes &before_shapes = {},
                              const InputShapes &shapes = {});

/// Same from the serialized bytes; `model_name` names the model in error
/// messages and is the graph name if the ONNX graph has none.
graph::Graph import_onnx_bytes(const std::string &bytes, const std::string &model_name,
                               const InputShapes &shapes = {});

}  // namespace swtc::frontend
