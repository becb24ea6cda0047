// Legacy opsets (1 to 6): a model whose ops differ from their opset-7
// definitions only in attributes with a clear meaning is rewritten, in its
// ModelProto, into the same computation at opset 7 before it is imported.
#pragma once

#include <string>

namespace onnx {
class ModelProto;
}

namespace swtc::frontend {

/// Rewrites `m`, whose default-domain opset is `opset` (1 to 6), to opset 7
/// (its opset_import then says 7). Every node whose op has the same
/// definition at `opset` as at 7 is kept as is; the others are converted
/// following the old ONNX definitions (docs/conformance.md, "Legacy opsets"):
///  - `consumed_inputs` (a legacy optimization hint) is dropped everywhere;
///  - Add, Sub, Mul, Div, Pow, And, Or, Xor, Equal, Greater, Less with
///    `broadcast=1`: B, of element size 1 or equal to a contiguous run of A's
///    dims starting at `axis` (default: A's last dims), gets trailing unit
///    axes (Unsqueeze) so that numpy broadcasting means the same; without
///    `broadcast`, A and B must have one shape;
///  - Gemm: `broadcast` dropped (C broadcasts by suffix, as numpy does);
///  - BatchNormalization, Dropout: `is_test=1` dropped (is_test=0, training
///    mode, is refused);
///  - PRelu: a 1-D slope of X's channel count becomes [C, 1, ...] (per
///    channel, axis 1); a size-1 slope or one of X's shape is kept;
///  - AveragePool (opset 1): unchanged (it averages over the elements
///    excluding padding, opset 7's count_include_pad=0 default);
///  - Pad (opset 1): `paddings` renamed `pads`; Reshape (opset 1): the
///    `shape` attribute becomes a Constant node's output; Concat (opset 1):
///    `axis` defaults to 1; Selu (opset 1): its own alpha/gamma defaults.
/// Anything else (a shape that the old broadcast rule does not allow, an
/// op with no conversion) is a UserError naming the model, node, op and
/// reason.
void upgrade_legacy_opset(onnx::ModelProto &m, int opset, const std::string &model_name);

}  // namespace swtc::frontend
