#!/usr/bin/python3
"""Writes the small ONNX models of the --ranks e2e tests into DIR:

    make_cg_models.py DIR

cnn_b1, cnn_b4, cnn_b8, cnn_b12, cnn_b21: a small residual CNN (conv3x3 +
relu, maxpool, conv1x1 + residual add, concat on channels, global average
pool, flatten, gemm, softmax) at batch 1, 4, 8, 12 (divisible by 2, 3, 4 and
6) and 21 (the reference of the throughput test), with the same seeded
weights at every batch. mix_b4: a Reshape that merges the batch into one row (not
batch-separable).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT


def save(path, nodes, inputs, outputs, inits):
    g = helper.make_graph(nodes, os.path.basename(path)[:-5], inputs, outputs,
                          initializer=[numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.shape_inference.infer_shapes(m, strict_mode=True, check_type=True)
    onnx.save(m, path)


def cnn(path, batch, hw=32):
    rng = np.random.default_rng(7)  # the same weights at every batch size

    def w(*shape, scale=0.4):
        return (rng.uniform(-1, 1, shape) * scale).astype(np.float32)

    inits = [("w1", w(16, 3, 3, 3)), ("b1", w(16)), ("w2", w(16, 16, 1, 1, scale=0.2)),
             ("b2", w(16)), ("w3", w(32, 16, 3, 3, scale=0.1)), ("fc_w", w(10, 48)),
             ("fc_b", w(10))]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], name="conv1"),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2],
                         name="pool1"),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], kernel_shape=[1, 1], name="conv2"),
        helper.make_node("Add", ["c2", "p1"], ["res"], name="residual"),
        helper.make_node("Conv", ["res", "w3"], ["c3"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[2, 2], name="conv3"),
        helper.make_node("Relu", ["c3"], ["r3"], name="relu3"),
        helper.make_node("MaxPool", ["res"], ["p2"], kernel_shape=[2, 2], strides=[2, 2],
                         name="pool2"),
        helper.make_node("Concat", ["r3", "p2"], ["cat"], axis=1, name="concat"),
        helper.make_node("GlobalAveragePool", ["cat"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], axis=1, name="flatten"),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["fc"], transB=1, name="fc"),
        helper.make_node("Softmax", ["fc"], ["y"], axis=1, name="softmax"),
    ]
    save(path, nodes, [helper.make_tensor_value_info("x", F, [batch, 3, hw, hw])],
         [helper.make_tensor_value_info("y", F, [batch, 10])], inits)


def mix(path):
    # Reshape [4, 8, 4, 4] -> [1, 512]: every sample in one row.
    inits = [("w", np.full((8, 3, 1, 1), 0.1, np.float32)),
             ("shape", np.array([1, -1], np.int64))]
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1], name="conv"),
             helper.make_node("Reshape", ["c", "shape"], ["y"], name="merge_batch")]
    save(path, nodes, [helper.make_tensor_value_info("x", F, [4, 3, 4, 4])],
         [helper.make_tensor_value_info("y", F, [1, 512])], inits)


def main(d):
    os.makedirs(d, exist_ok=True)
    for b in (1, 4, 8, 12, 21):
        cnn(os.path.join(d, "cnn_b%d.onnx" % b), b)
    mix(os.path.join(d, "mix_b4.onnx"))


if __name__ == "__main__":
    main(sys.argv[1])
