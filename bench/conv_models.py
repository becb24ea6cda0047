"""Shared by the layer benchmarks: a single-Conv ONNX model written at run time
(float32, seeded random weights and bias, NCHW, one input `input`, one output
`output`). Nothing here is committed as a model file."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv_out(size, k, stride, pad):
    return (size + 2 * pad - k) // stride + 1


def write_conv(path, batch, cin, cout, hw, k, stride=1, pad=0, group=1, relu=False, seed=1,
               bias=True):
    """One Conv (optionally + Relu) on a [batch, cin, hw, hw] input; returns the
    flop count of the Conv (2 per multiply-add, the bias not counted)."""
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((cout, cin // group, k, k)) * (2.0 / (cin // group * k * k)) ** 0.5)
    b = rng.standard_normal(cout) * 0.1
    o = conv_out(hw, k, stride, pad)
    nodes = [helper.make_node("Conv", ["input", "W", "B"] if bias else ["input", "W"], ["conv" if relu else "output"],
                              name="conv", kernel_shape=[k, k], strides=[stride, stride],
                              pads=[pad, pad, pad, pad], group=group)]
    if relu:
        nodes.append(helper.make_node("Relu", ["conv"], ["output"], name="relu"))
    graph = helper.make_graph(
        nodes, "conv",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, cin, hw, hw])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [batch, cout, o, o])],
        [numpy_helper.from_array(w.astype(np.float32), "W")] +
        ([numpy_helper.from_array(b.astype(np.float32), "B")] if bias else []))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return 2 * batch * cout * o * o * (cin // group) * k * k
