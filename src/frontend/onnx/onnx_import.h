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
/// symbolic input dimension, shape errors.
/// The graph is named after the ONNX graph name, or the file stem if empty.
/// Called on the graph after its inputs, initializers and nodes are read and
/// before shapes are inferred (e.g. to bind inputs to constants).
using BeforeShapes = std::function<void(graph::Graph &)>;

graph::Graph import_onnx_file(const std::string &path, const BeforeShapes &before_shapes = {});

/// Same from the serialized bytes; `model_name` names the model in error
/// messages and is the graph name if the ONNX graph has none.
graph::Graph import_onnx_bytes(const std::string &bytes, const std::string &model_name);

}  // namespace swtc::frontend
