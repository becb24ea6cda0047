#!/usr/bin/python3
"""Malformed and hostile ONNX models (issue 13), and the check that swtc
refuses each cleanly.

    malformed_models.py generate DIR
        writes a few hundred models into DIR/<class>/<case>.onnx (seeded,
        deterministic)
    malformed_models.py check --swtc SWTC DIR [--jobs N] [--timeout S] [--markdown]
        runs `swtc compile MODEL --target T -o OUT -q` on each (T cycles
        host, sw26010, sw26010pro) and checks: no crash (a signal or an exit
        status other than 0 or 1), no hang (--timeout, default 20 s), and on
        exit 1 every stderr line starts with `swtc: error:` (no raw
        exception text). Prints one row per class (docs/robustness.md has the
        table); exits 1 if any model fails the check.

Classes: truncated (a valid model cut short), corrupted (random bytes
flipped), wrong_types (unsupported element and attribute types, data that
does not match its type), missing_names (undefined inputs and outputs, empty
names), duplicated_names, cycles, bad_attributes, axes_out_of_range,
huge_shapes (negative, overflowing, above the size limit, rank > 8),
hostile_names (quotes, newlines, comment and preprocessor text, C keywords,
very long and non-ASCII names), opsets (missing, too old, too new, other
domains).
"""

import argparse
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def vi(name, t, shape):
    return helper.make_tensor_value_info(name, t, shape)


def make(nodes, inputs, outputs, inits=(), opset=14, name="g"):
    g = helper.make_graph(nodes, name, inputs, outputs,
                          initializer=[numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def w(shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def base_models():
    """Small valid models the mutations start from."""
    conv = make([helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
                 helper.make_node("Relu", ["c"], ["r"], name="relu"),
                 helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2],
                                  name="pool"),
                 helper.make_node("Flatten", ["p"], ["f"], name="flat"),
                 helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], transB=1, name="fc")],
                [vi("x", F, [1, 3, 8, 8])], [vi("y", F, [1, 10])],
                inits=[("w", w([4, 3, 3, 3])), ("b", w([4], 1)), ("fw", w([10, 64], 2)),
                       ("fb", w([10], 3))])
    mlp = make([helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
                helper.make_node("Add", ["m", "b"], ["a"], name="add"),
                helper.make_node("Softmax", ["a"], ["y"], axis=-1, name="sm")],
               [vi("x", F, [2, 16])], [vi("y", F, [2, 8])],
               inits=[("w", w([16, 8])), ("b", w([8], 1))])
    shape_sub = make([helper.make_node("Shape", ["x"], ["s"], name="shape"),
                      helper.make_node("Gather", ["s", "i"], ["d"], axis=0, name="gather"),
                      helper.make_node("Unsqueeze", ["d", "ax"], ["du"], name="unsq"),
                      helper.make_node("Concat", ["du", "m1"], ["ns"], axis=0, name="cat"),
                      helper.make_node("Reshape", ["x", "ns"], ["y"], name="reshape")],
                     [vi("x", F, [2, 3, 4])], [vi("y", F, [2, 12])],
                     inits=[("i", np.array(0, np.int64)), ("ax", np.array([0], np.int64)),
                            ("m1", np.array([-1], np.int64))])
    reduce = make([helper.make_node("ReduceMean", ["x"], ["m"], axes=[1], keepdims=1, name="rm"),
                   helper.make_node("Sub", ["x", "m"], ["d"], name="sub"),
                   helper.make_node("Transpose", ["d"], ["y"], perm=[1, 0], name="tr")],
                  [vi("x", F, [4, 6])], [vi("y", F, [6, 4])], opset=13)
    return {"conv": conv, "mlp": mlp, "shape_sub": shape_sub, "reduce": reduce}


def one_node(op, x_shape, attrs=None, inits=(), extra_inputs=(), opset=14, x_type=F,
             name="n", out_shape=None):
    attrs = attrs or {}
    node = helper.make_node(op, ["x"] + list(extra_inputs), ["y"], name=name, **attrs)
    return make([node], [vi("x", x_type, x_shape)], [vi("y", F, out_shape)], inits=inits,
                opset=opset)


def gen_truncated(bases, rnd):
    out = {}
    for bname, m in bases.items():
        data = m.SerializeToString()
        cuts = sorted(set([0, 1, 2, 5, 10, len(data) // 2, len(data) - 1] +
                          [rnd.randrange(1, len(data)) for _ in range(13)]))
        for c in cuts:
            out["%s_cut%d" % (bname, c)] = data[:c]
    return out


def gen_corrupted(bases, rnd):
    out = {}
    for bname, m in bases.items():
        data = bytearray(m.SerializeToString())
        for k in range(20):
            d = bytearray(data)
            for _ in range(rnd.choice([1, 2, 4, 16])):
                d[rnd.randrange(len(d))] = rnd.randrange(256)
            out["%s_flip%d" % (bname, k)] = bytes(d)
    out["empty_file"] = b""
    out["zeros"] = bytes(64)
    out["text"] = b"this is not a model\n"
    out["random_4k"] = bytes(rnd.randrange(256) for _ in range(4096))
    return out


def gen_wrong_types(bases, rnd):
    out = {}
    for t in (TensorProto.DOUBLE, TensorProto.STRING, TensorProto.BOOL, TensorProto.FLOAT16,
              TensorProto.INT16, TensorProto.COMPLEX64, TensorProto.UNDEFINED, 999):
        m = one_node("Relu", [2, 3], out_shape=[2, 3])
        m.graph.input[0].type.tensor_type.elem_type = t
        out["input_type_%d" % t] = m
    for t in (TensorProto.STRING, TensorProto.BOOL, TensorProto.FLOAT16, TensorProto.BFLOAT16,
              TensorProto.INT16, 999):
        m = make([helper.make_node("Add", ["x", "k"], ["y"], name="add")], [vi("x", F, [3])],
                 [vi("y", F, [3])], inits=[("k", np.ones(3, np.float32))])
        m.graph.initializer[0].data_type = t
        out["init_type_%d" % t] = m
    # Data that does not match its type or shape.
    m = make([helper.make_node("Add", ["x", "k"], ["y"], name="add")], [vi("x", F, [3])],
             [vi("y", F, [3])], inits=[("k", np.ones(3, np.float32))])
    m.graph.initializer[0].raw_data = b"\0" * 7
    out["raw_data_not_multiple"] = m
    m = make([helper.make_node("Add", ["x", "k"], ["y"], name="add")], [vi("x", F, [3])],
             [vi("y", F, [3])], inits=[("k", np.ones(3, np.float32))])
    m.graph.initializer[0].raw_data = b"\0" * 8
    out["raw_data_short"] = m
    m = make([helper.make_node("Add", ["x", "k"], ["y"], name="add")], [vi("x", F, [3])],
             [vi("y", F, [3])])
    t = helper.make_tensor("k", F, [2], [1.0, 2.0])
    t.dims[0] = 3
    m.graph.initializer.append(t)
    out["float_data_short"] = m
    m = make([helper.make_node("Add", ["x", "k"], ["y"], name="add")], [vi("x", F, [3])],
             [vi("y", F, [3])])
    t = helper.make_tensor("k", F, [3], [1.0, 2.0, 3.0])
    t.data_location = TensorProto.EXTERNAL
    m.graph.initializer.append(t)
    out["external_data"] = m
    # Attributes of the wrong type.
    for aname, val in (("kernel_shape", 2.5), ("kernel_shape", "2"), ("strides", [1.5, 1.5]),
                       ("pads", "same"), ("ceil_mode", [1, 0]), ("auto_pad", 3)):
        m = one_node("MaxPool", [1, 1, 4, 4], {"kernel_shape": [2, 2]}, out_shape=[1, 1, 3, 3])
        del m.graph.node[0].attribute[:]
        if aname != "kernel_shape":
            m.graph.node[0].attribute.append(helper.make_attribute("kernel_shape", [2, 2]))
        m.graph.node[0].attribute.append(helper.make_attribute(aname, val))
        out["attr_%s_%s" % (aname, type(val).__name__)] = m
    m = one_node("Softmax", [2, 3], {"axis": 1.0}, out_shape=[2, 3])
    out["softmax_axis_float"] = m
    m = one_node("Relu", [2, 3], out_shape=[2, 3])
    m.graph.node[0].attribute.append(helper.make_attribute("g", helper.make_graph([], "sub", [], [])))
    out["attr_graph"] = m
    m = one_node("Relu", [2, 3], out_shape=[2, 3])
    m.graph.input[0].type.ClearField("tensor_type")
    m.graph.input[0].type.sequence_type.elem_type.tensor_type.elem_type = F
    out["input_sequence"] = m
    m = one_node("Relu", [2, 3], out_shape=[2, 3])
    m.graph.input[0].type.tensor_type.ClearField("shape")
    out["input_no_shape"] = m
    m = one_node("Relu", [2, 3], out_shape=[2, 3])
    m.graph.input[0].type.tensor_type.shape.dim[0].ClearField("dim_value")
    out["input_unknown_dim"] = m
    m = one_node("Relu", [2, 3], out_shape=[2, 3])
    m.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
    out["input_symbolic_dim"] = m
    # Integer tensors where float is needed, float where integers are.
    out["relu_int64"] = one_node("Relu", [2, 3], x_type=I64, out_shape=[2, 3])
    out["reshape_float_shape"] = make(
        [helper.make_node("Reshape", ["x", "s"], ["y"], name="r")], [vi("x", F, [2, 3])],
        [vi("y", F, [6])], inits=[("s", np.array([6.0], np.float32))])
    out["gather_float_indices"] = make(
        [helper.make_node("Gather", ["x", "i"], ["y"], name="g")], [vi("x", F, [4, 3])],
        [vi("y", F, [2, 3])], inits=[("i", np.array([0.0, 1.0], np.float32))])
    out["add_f32_i64"] = make(
        [helper.make_node("Add", ["x", "k"], ["y"], name="add")], [vi("x", F, [3])],
        [vi("y", F, [3])], inits=[("k", np.ones(3, np.int64))])
    return out


def gen_missing_names(bases, rnd):
    out = {}
    for bname, m in bases.items():
        for k in range(len(m.graph.node)):
            mm = onnx.ModelProto()
            mm.CopyFrom(m)
            mm.graph.node[k].input[0] = "no_such_value"
            out["%s_undefined_input%d" % (bname, k)] = mm
            mm = onnx.ModelProto()
            mm.CopyFrom(m)
            mm.graph.node[k].output[0] = ""
            out["%s_empty_output%d" % (bname, k)] = mm
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        mm.graph.output[0].name = "never_defined"
        out["%s_undefined_graph_output" % bname] = mm
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        del mm.graph.output[:]
        out["%s_no_outputs" % bname] = mm
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        mm.graph.input[0].name = ""
        out["%s_empty_input_name" % bname] = mm
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        if len(mm.graph.initializer):
            mm.graph.initializer[0].name = ""
            out["%s_empty_initializer_name" % bname] = mm
    m = one_node("Conv", [1, 1, 4, 4], out_shape=[1, 1, 3, 3])
    out["conv_no_weight"] = m
    m = make([], [vi("x", F, [2])], [vi("x", F, [2])])
    out["no_nodes_output_is_input"] = m
    m = onnx.ModelProto()
    m.ir_version = 8
    m.opset_import.append(helper.make_opsetid("", 14))
    out["no_graph"] = m
    return out


def gen_duplicated(bases, rnd):
    out = {}
    for bname, m in bases.items():
        for k in range(1, len(m.graph.node)):
            mm = onnx.ModelProto()
            mm.CopyFrom(m)
            mm.graph.node[k].output[0] = mm.graph.node[0].output[0]
            out["%s_output_twice%d" % (bname, k)] = mm
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        mm.graph.input.append(mm.graph.input[0])
        out["%s_input_twice" % bname] = mm
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        mm.graph.output.append(mm.graph.output[0])
        out["%s_output_listed_twice" % bname] = mm
        if len(mm.graph.initializer):
            mm = onnx.ModelProto()
            mm.CopyFrom(m)
            mm.graph.initializer.append(mm.graph.initializer[0])
            out["%s_initializer_twice" % bname] = mm
            mm = onnx.ModelProto()
            mm.CopyFrom(m)
            mm.graph.node[0].output[0] = mm.graph.initializer[0].name
            out["%s_output_is_initializer" % bname] = mm
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        mm.graph.node[-1].output[0] = mm.graph.input[0].name
        out["%s_output_is_input" % bname] = mm
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        for n in mm.graph.node:
            n.name = "same"
        out["%s_same_node_names" % bname] = mm
    return out


def gen_cycles(bases, rnd):
    out = {}
    out["self_loop"] = make([helper.make_node("Add", ["x", "y"], ["y"], name="a")],
                            [vi("x", F, [2])], [vi("y", F, [2])])
    out["two_cycle"] = make([helper.make_node("Add", ["x", "b"], ["a"], name="n1"),
                             helper.make_node("Relu", ["a"], ["b"], name="n2")],
                            [vi("x", F, [2])], [vi("b", F, [2])])
    out["three_cycle"] = make([helper.make_node("Relu", ["c"], ["a"], name="n1"),
                               helper.make_node("Relu", ["a"], ["b"], name="n2"),
                               helper.make_node("Add", ["b", "x"], ["c"], name="n3")],
                              [vi("x", F, [2])], [vi("c", F, [2])])
    for bname, m in bases.items():
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        nodes = list(mm.graph.node)
        del mm.graph.node[:]
        mm.graph.node.extend(reversed(nodes))
        out["%s_reversed_order" % bname] = mm
        mm = onnx.ModelProto()
        mm.CopyFrom(m)
        if len(mm.graph.node) > 1:
            mm.graph.node[0].input[0] = mm.graph.node[-1].output[0]
            out["%s_back_edge" % bname] = mm
    return out


def gen_bad_attributes(bases, rnd):
    out = {}
    pool = lambda op, **a: one_node(op, [1, 2, 6, 6], a, out_shape=[1, 2, 3, 3])
    for op in ("MaxPool", "AveragePool"):
        out[op + "_no_kernel"] = pool(op)
        out[op + "_kernel0"] = pool(op, kernel_shape=[0, 2])
        out[op + "_kernel_neg"] = pool(op, kernel_shape=[-2, 2])
        out[op + "_kernel_huge"] = pool(op, kernel_shape=[1 << 40, 2])
        out[op + "_kernel_rank"] = pool(op, kernel_shape=[2, 2, 2])
        out[op + "_stride0"] = pool(op, kernel_shape=[2, 2], strides=[0, 1])
        out[op + "_stride_neg"] = pool(op, kernel_shape=[2, 2], strides=[-1, 1])
        out[op + "_stride_huge"] = pool(op, kernel_shape=[2, 2], strides=[1 << 62, 1])
        out[op + "_pads_neg"] = pool(op, kernel_shape=[2, 2], pads=[-1, 0, 0, 0])
        out[op + "_pads_len"] = pool(op, kernel_shape=[2, 2], pads=[1, 1])
        out[op + "_pads_ge_kernel"] = pool(op, kernel_shape=[2, 2], pads=[2, 2, 2, 2])
        out[op + "_pads_huge"] = pool(op, kernel_shape=[2, 2], pads=[1 << 62, 0, 0, 0])
        out[op + "_kernel_gt_input"] = pool(op, kernel_shape=[9, 9])
        out[op + "_auto_pad_bad"] = pool(op, kernel_shape=[2, 2], auto_pad="MIDDLE")
        out[op + "_auto_pad_and_pads"] = pool(op, kernel_shape=[2, 2], auto_pad="SAME_UPPER",
                                              pads=[1, 1, 1, 1])
        out[op + "_ceil_huge"] = pool(op, kernel_shape=[2, 2], ceil_mode=1 << 40)
    out["MaxPool_dilation0"] = pool("MaxPool", kernel_shape=[2, 2], dilations=[0, 1])
    out["MaxPool_dilation_huge"] = pool("MaxPool", kernel_shape=[2, 2], dilations=[1 << 61, 1])
    out["MaxPool_storage_order"] = pool("MaxPool", kernel_shape=[2, 2], storage_order=1)
    out["MaxPool_indices_output"] = make(
        [helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2, 2], name="p")],
        [vi("x", F, [1, 1, 4, 4])], [vi("y", F, [1, 1, 3, 3]), vi("i", I64, [1, 1, 3, 3])])
    conv = lambda wshape, **a: make(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="c", **a)], [vi("x", F, [1, 4, 6, 6])],
        [vi("y", F, [1, 4, 4, 4])], inits=[("w", w(wshape))])
    out["conv_group0"] = conv([4, 4, 3, 3], group=0)
    out["conv_group_neg"] = conv([4, 4, 3, 3], group=-4)
    out["conv_group_mismatch"] = conv([4, 4, 3, 3], group=3)
    out["conv_group_huge"] = conv([4, 4, 3, 3], group=1 << 40)
    out["conv_kernel_mismatch"] = conv([4, 4, 3, 3], kernel_shape=[2, 2])
    out["conv_strides0"] = conv([4, 4, 3, 3], strides=[0, 0])
    out["conv_dilation0"] = conv([4, 4, 3, 3], dilations=[0, 1])
    out["conv_pads_neg"] = conv([4, 4, 3, 3], pads=[-5, 0, 0, 0])
    out["conv_weight_rank"] = conv([4, 4, 3])
    out["conv_weight_1d"] = conv([4])
    out["conv_kernel_gt_input"] = conv([4, 4, 9, 9])
    out["conv_bias_shape"] = make(
        [helper.make_node("Conv", ["x", "w", "b"], ["y"], name="c")], [vi("x", F, [1, 4, 6, 6])],
        [vi("y", F, [1, 4, 4, 4])], inits=[("w", w([4, 4, 3, 3])), ("b", w([5]))])
    out["gemm_trans_huge"] = make(
        [helper.make_node("Gemm", ["x", "w"], ["y"], transA=7, name="g")], [vi("x", F, [2, 3])],
        [vi("y", F, [2, 4])], inits=[("w", w([3, 4]))])
    out["gemm_inner_mismatch"] = make(
        [helper.make_node("Gemm", ["x", "w"], ["y"], name="g")], [vi("x", F, [2, 3])],
        [vi("y", F, [2, 4])], inits=[("w", w([5, 4]))])
    out["gemm_c_shape"] = make(
        [helper.make_node("Gemm", ["x", "w", "c"], ["y"], name="g")], [vi("x", F, [2, 3])],
        [vi("y", F, [2, 4])], inits=[("w", w([3, 4])), ("c", w([3]))])
    out["matmul_mismatch"] = make(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="m")], [vi("x", F, [2, 3])],
        [vi("y", F, [2, 4])], inits=[("w", w([5, 4]))])
    out["add_broadcast_mismatch"] = make(
        [helper.make_node("Add", ["x", "k"], ["y"], name="a")], [vi("x", F, [2, 3])],
        [vi("y", F, [2, 3])], inits=[("k", w([4]))])
    out["clip_runtime_min"] = make(
        [helper.make_node("Clip", ["x", "lo"], ["y"], name="c")], [vi("x", F, [3]), vi("lo", F, [])],
        [vi("y", F, [3])])
    out["transpose_perm_dup"] = one_node("Transpose", [2, 3], {"perm": [0, 0]}, out_shape=[2, 3])
    out["transpose_perm_short"] = one_node("Transpose", [2, 3, 4], {"perm": [1, 0]},
                                           out_shape=[3, 2, 4])
    out["transpose_perm_huge"] = one_node("Transpose", [2, 3], {"perm": [0, 1 << 62]},
                                          out_shape=[2, 3])
    out["reshape_two_minus1"] = make(
        [helper.make_node("Reshape", ["x", "s"], ["y"], name="r")], [vi("x", F, [2, 3])],
        [vi("y", F, [6])], inits=[("s", np.array([-1, -1], np.int64))])
    out["reshape_count_mismatch"] = make(
        [helper.make_node("Reshape", ["x", "s"], ["y"], name="r")], [vi("x", F, [2, 3])],
        [vi("y", F, [7])], inits=[("s", np.array([7], np.int64))])
    out["reshape_zero_out_of_range"] = make(
        [helper.make_node("Reshape", ["x", "s"], ["y"], name="r")], [vi("x", F, [6])],
        [vi("y", F, [6, 1])], inits=[("s", np.array([6, 0], np.int64))])
    out["reshape_runtime_shape"] = make(
        [helper.make_node("Reshape", ["x", "s"], ["y"], name="r")],
        [vi("x", F, [2, 3]), vi("s", I64, [1])], [vi("y", F, [6])])
    out["slice_step0"] = make(
        [helper.make_node("Slice", ["x", "s", "e", "a", "st"], ["y"], name="s")],
        [vi("x", F, [4, 3])], [vi("y", F, [2, 3])],
        inits=[("s", np.array([0], np.int64)), ("e", np.array([2], np.int64)),
               ("a", np.array([0], np.int64)), ("st", np.array([0], np.int64))])
    out["slice_len_mismatch"] = make(
        [helper.make_node("Slice", ["x", "s", "e"], ["y"], name="s")],
        [vi("x", F, [4, 3])], [vi("y", F, [2, 3])],
        inits=[("s", np.array([0, 0], np.int64)), ("e", np.array([2], np.int64))])
    out["slice_extreme"] = make(
        [helper.make_node("Slice", ["x", "s", "e", "a", "st"], ["y"], name="s")],
        [vi("x", F, [4, 3])], [vi("y", F, [2, 3])],
        inits=[("s", np.array([-(1 << 63)], np.int64)), ("e", np.array([(1 << 63) - 1], np.int64)),
               ("a", np.array([0], np.int64)), ("st", np.array([-(1 << 63)], np.int64))])
    out["expand_incompatible"] = make(
        [helper.make_node("Expand", ["x", "s"], ["y"], name="e")], [vi("x", F, [3])],
        [vi("y", F, [4])], inits=[("s", np.array([4], np.int64))])
    out["batchnorm_shape"] = make(
        [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], name="bn")],
        [vi("x", F, [1, 2, 3, 3])], [vi("y", F, [1, 2, 3, 3])],
        inits=[(n, np.ones(3, np.float32)) for n in "sbmv"])
    out["batchnorm_training"] = make(
        [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y", "rm", "rv"],
                          training_mode=1, name="bn")],
        [vi("x", F, [1, 2, 3, 3])], [vi("y", F, [1, 2, 3, 3])],
        inits=[(n, np.ones(2, np.float32)) for n in "sbmv"], opset=15)
    out["constant_two_values"] = make(
        [helper.make_node("Constant", [], ["c"], value_float=1.0, value_int=2, name="k"),
         helper.make_node("Add", ["x", "c"], ["y"], name="a")], [vi("x", F, [2])],
        [vi("y", F, [2])])
    out["constant_no_value"] = make(
        [helper.make_node("Constant", [], ["c"], name="k"),
         helper.make_node("Add", ["x", "c"], ["y"], name="a")], [vi("x", F, [2])],
        [vi("y", F, [2])])
    out["cast_to_bad"] = make(
        [helper.make_node("Shape", ["x"], ["s"], name="sh"),
         helper.make_node("Cast", ["s"], ["c"], to=999, name="c"),
         helper.make_node("Reshape", ["x", "c"], ["y"], name="r")],
        [vi("x", F, [2, 3])], [vi("y", F, [2, 3])])
    out["relu_two_inputs"] = make(
        [helper.make_node("Relu", ["x", "x"], ["y"], name="r")], [vi("x", F, [2])],
        [vi("y", F, [2])])
    out["add_one_input"] = make(
        [helper.make_node("Add", ["x"], ["y"], name="a")], [vi("x", F, [2])], [vi("y", F, [2])])
    out["relu_two_outputs"] = make(
        [helper.make_node("Relu", ["x"], ["y", "z"], name="r")], [vi("x", F, [2])],
        [vi("y", F, [2])])
    out["layernorm_eps_neg"] = make(
        [helper.make_node("LayerNormalization", ["x", "g"], ["y"], epsilon=-1.0, name="ln")],
        [vi("x", F, [2, 3])], [vi("y", F, [2, 3])], inits=[("g", np.ones(3, np.float32))],
        opset=17)
    out["layernorm_scale_shape"] = make(
        [helper.make_node("LayerNormalization", ["x", "g"], ["y"], name="ln")],
        [vi("x", F, [2, 3])], [vi("y", F, [2, 3])], inits=[("g", np.ones(4, np.float32))],
        opset=17)
    out["concat_rank_mismatch"] = make(
        [helper.make_node("Concat", ["x", "k"], ["y"], axis=0, name="c")], [vi("x", F, [2, 3])],
        [vi("y", F, [4, 3])], inits=[("k", w([2, 3, 1]))])
    out["concat_dim_mismatch"] = make(
        [helper.make_node("Concat", ["x", "k"], ["y"], axis=0, name="c")], [vi("x", F, [2, 3])],
        [vi("y", F, [4, 3])], inits=[("k", w([2, 4]))])
    out["gap_rank2"] = one_node("GlobalAveragePool", [2, 3], out_shape=[2, 3])
    return out


def gen_axes(bases, rnd):
    out = {}
    for ax in (2, -3, 7, 1 << 40, -(1 << 62)):
        s = str(ax).replace("-", "m")
        out["softmax_axis_%s" % s] = one_node("Softmax", [2, 3], {"axis": ax}, out_shape=[2, 3])
        out["concat_axis_%s" % s] = make(
            [helper.make_node("Concat", ["x", "x"], ["y"], axis=ax, name="c")], [vi("x", F, [2, 3])],
            [vi("y", F, [4, 3])])
        out["flatten_axis_%s" % s] = one_node("Flatten", [2, 3], {"axis": ax}, out_shape=[2, 3])
        for op in ("ReduceMean", "ReduceSum", "ReduceMax"):
            if op == "ReduceSum":
                out["%s_axes_%s" % (op, s)] = make(
                    [helper.make_node(op, ["x", "a"], ["y"], name="r")], [vi("x", F, [2, 3])],
                    [vi("y", F, [2, 1])], inits=[("a", np.array([ax], np.int64))], opset=13)
            else:
                out["%s_axes_%s" % (op, s)] = one_node(op, [2, 3], {"axes": [ax]}, opset=13,
                                                       out_shape=[2, 1])
        out["squeeze_axes_%s" % s] = make(
            [helper.make_node("Squeeze", ["x", "a"], ["y"], name="s")], [vi("x", F, [1, 3])],
            [vi("y", F, [3])], inits=[("a", np.array([ax], np.int64))])
        out["unsqueeze_axes_%s" % s] = make(
            [helper.make_node("Unsqueeze", ["x", "a"], ["y"], name="u")], [vi("x", F, [2, 3])],
            [vi("y", F, [2, 3, 1])], inits=[("a", np.array([ax], np.int64))])
        out["gather_axis_%s" % s] = make(
            [helper.make_node("Shape", ["x"], ["sh"], name="sh"),
             helper.make_node("Gather", ["sh", "i"], ["y"], axis=ax, name="g")],
            [vi("x", F, [2, 3])], [vi("y", I64, [])], inits=[("i", np.array(0, np.int64))])
        out["slice_axes_%s" % s] = make(
            [helper.make_node("Slice", ["x", "s", "e", "a"], ["y"], name="s")],
            [vi("x", F, [4, 3])], [vi("y", F, [2, 3])],
            inits=[("s", np.array([0], np.int64)), ("e", np.array([2], np.int64)),
                   ("a", np.array([ax], np.int64))])
        out["layernorm_axis_%s" % s] = make(
            [helper.make_node("LayerNormalization", ["x", "g"], ["y"], axis=ax, name="ln")],
            [vi("x", F, [2, 3])], [vi("y", F, [2, 3])], inits=[("g", np.ones(3, np.float32))],
            opset=17)
    out["gather_index_out_of_range"] = make(
        [helper.make_node("Shape", ["x"], ["sh"], name="sh"),
         helper.make_node("Gather", ["sh", "i"], ["y"], axis=0, name="g")],
        [vi("x", F, [2, 3])], [vi("y", I64, [])], inits=[("i", np.array(5, np.int64))])
    out["reduce_axes_repeated"] = one_node("ReduceMax", [2, 3], {"axes": [1, -1]}, opset=13,
                                           out_shape=[2, 1])
    out["squeeze_non_one"] = make(
        [helper.make_node("Squeeze", ["x", "a"], ["y"], name="s")], [vi("x", F, [2, 3])],
        [vi("y", F, [3])], inits=[("a", np.array([0], np.int64))])
    out["unsqueeze_repeated"] = make(
        [helper.make_node("Unsqueeze", ["x", "a"], ["y"], name="u")], [vi("x", F, [2, 3])],
        [vi("y", F, [1, 1, 2, 3])], inits=[("a", np.array([0, 0], np.int64))])
    return out


def gen_huge(bases, rnd):
    out = {}
    for dims, tag in (([-1, 3], "neg"), ([-(1 << 62), 1], "very_neg"), ([1 << 31, 1 << 31], "2p62"),
                      ([1 << 32, 1 << 32], "overflow"), ([1 << 62, 4], "overflow2"),
                      ([(1 << 63) - 1], "int64max"), ([1 << 40], "2p40"), ([0, 3], "zero"),
                      ([1] * 9, "rank9"), ([1] * 33, "rank33"), ([2] * 64, "rank64"), ([], "scalar")):
        m = one_node("Relu", [1], out_shape=[1])
        sh = m.graph.input[0].type.tensor_type.shape
        del sh.dim[:]
        for d in dims:
            sh.dim.add().dim_value = d
        out["input_%s" % tag] = m
        m = make([helper.make_node("Add", ["x", "k"], ["y"], name="add")], [vi("x", F, [1])],
                 [vi("y", F, [1])])
        t = helper.make_tensor("k", F, [1], [1.0])
        del t.dims[:]
        t.dims.extend(dims)
        m.graph.initializer.append(t)
        out["initializer_dims_%s" % tag] = m
    for shape, tag in (([1 << 20, 1 << 12], "16g"), ([5000, 5000], "100m"), ([1 << 62, 4], "overflow"),
                       ([-3], "neg"), ([1] * 9, "rank9")):
        out["constant_of_shape_%s" % tag] = make(
            [helper.make_node("ConstantOfShape", ["s"], ["c"], name="cos",
                              value=numpy_helper.from_array(np.array([1.0], np.float32))),
             helper.make_node("Add", ["x", "c"], ["y"], name="add")],
            [vi("x", F, [1])], [vi("y", F, [1])], inits=[("s", np.array(shape, np.int64))])
        out["expand_%s" % tag] = make(
            [helper.make_node("Expand", ["x", "s"], ["y"], name="e")], [vi("x", F, [1])],
            [vi("y", F, [1])], inits=[("s", np.array(shape, np.int64))])
        out["reshape_%s" % tag] = make(
            [helper.make_node("Reshape", ["x", "s"], ["y"], name="r")], [vi("x", F, [4])],
            [vi("y", F, [1])], inits=[("s", np.array(shape, np.int64))])
    out["big_workspace"] = make(
        [helper.make_node("Relu", ["x"], ["a"], name="r1"),
         helper.make_node("Relu", ["a"], ["b"], name="r2"),
         helper.make_node("Add", ["a", "b"], ["y"], name="add")],
        [vi("x", F, [1 << 15, 1 << 15])], [vi("y", F, [1 << 15, 1 << 15])])
    out["concat_many"] = make(
        [helper.make_node("Concat", ["x"] * 2000, ["y"], axis=0, name="c")],
        [vi("x", F, [1 << 20])], [vi("y", F, [2000 << 20])])
    out["matmul_huge_inner"] = make(
        [helper.make_node("MatMul", ["x", "k"], ["y"], name="m")], [vi("x", F, [1, 1 << 40])],
        [vi("y", F, [1, 1])], inits=[])
    out["conv_huge_channels"] = one_node("GlobalAveragePool", [1, 1 << 40, 1, 1], out_shape=[1])
    return out


HOSTILE = ['a"b', "a\nb", "a\rb", "*/ int evil; /*", "#include <stdio.h>", "a\\", "a b",
           "int", "main", "x" * 10000, "\u00e9\u4e2d\u0440", "\t", "'", "a.b", "a_b", "1abc", "\x01",
           "$(rm -rf /)", "%s%n%p", "../../etc/passwd", "NUL\x00byte"]


def gen_hostile_names(bases, rnd):
    out = {}
    for i, name in enumerate(HOSTILE):
        for where in ("input", "output", "node", "init", "graph"):
            m = make([helper.make_node("Add", ["x", "k"], ["t"], name="add"),
                      helper.make_node("Relu", ["t"], ["y"], name="relu")],
                     [vi("x", F, [2, 3])], [vi("y", F, [2, 3])], inits=[("k", w([3]))])
            if where == "input":
                m.graph.input[0].name = name
                m.graph.node[0].input[0] = name
            elif where == "output":
                m.graph.output[0].name = name
                m.graph.node[1].output[0] = name
            elif where == "node":
                m.graph.node[0].name = name
            elif where == "init":
                m.graph.initializer[0].name = name
                m.graph.node[0].input[1] = name
            else:
                m.graph.name = name
            out["name%d_%s" % (i, where)] = m
        # The same names in errors: each message must stay one line.
        m = one_node("Det", [2, 2], name=name, out_shape=[])
        out["name%d_unsupported_op" % i] = m
        m = one_node("Softmax", [2, 3], {"axis": 5}, name=name, out_shape=[2, 3])
        out["name%d_bad_axis" % i] = m
        m = one_node("Relu", [2], out_shape=[2])
        m.graph.input[0].name = name
        m.graph.node[0].input[0] = name
        m.graph.input[0].type.tensor_type.shape.dim[0].dim_param = name
        out["name%d_symbolic_dim" % i] = m
        m = one_node("Relu", [2], out_shape=[2])
        m.graph.output[0].name = name
        out["name%d_undefined_output" % i] = m
        m = one_node("Relu", [2], out_shape=[2])
        m.graph.node[0].op_type = name
        out["name%d_op_type" % i] = m
    # Two outputs whose names collide once sanitised.
    out["colliding_outputs"] = make(
        [helper.make_node("Relu", ["x"], ["a.b"], name="r1"),
         helper.make_node("Neg", ["x"], ["a_b"], name="r2")],
        [vi("x", F, [2])], [vi("a.b", F, [2]), vi("a_b", F, [2])])
    return out


def gen_opsets(bases, rnd):
    out = {}
    for v in (0, 1, 6, 19, 99, -1, 1 << 40):
        m = one_node("Relu", [2], out_shape=[2])
        m.opset_import[0].version = v
        out["opset_%s" % str(v).replace("-", "m")] = m
    m = one_node("Relu", [2], out_shape=[2])
    del m.opset_import[:]
    out["no_opset"] = m
    m = one_node("Relu", [2], out_shape=[2])
    m.opset_import[0].domain = "com.example"
    out["other_domain_only"] = m
    m = one_node("Relu", [2], out_shape=[2])
    m.graph.node[0].domain = "com.example"
    out["node_other_domain"] = m
    m = one_node("Relu", [2], out_shape=[2])
    m.graph.node[0].op_type = "NoSuchOp"
    out["unknown_op"] = m
    m = one_node("Relu", [2], out_shape=[2])
    m.graph.node[0].op_type = ""
    out["empty_op"] = m
    for v in (0, -5, 99):
        m = one_node("Relu", [2], out_shape=[2])
        m.ir_version = v
        out["ir_version_%s" % str(v).replace("-", "m")] = m
    m = one_node("Relu", [2], out_shape=[2])
    m.graph.sparse_initializer.add()
    out["sparse_initializer"] = m
    m = one_node("Relu", [2], out_shape=[2])
    a = m.graph.node[0].attribute.add()
    a.name = "ref"
    a.ref_attr_name = "outer"
    a.type = onnx.AttributeProto.INT
    out["ref_attr"] = m
    return out


CLASSES = [
    ("truncated", gen_truncated, "a valid model cut short at 20 points each"),
    ("corrupted", gen_corrupted, "random bytes overwritten; empty, zero and text files"),
    ("wrong_types", gen_wrong_types, "unsupported element/attribute types, data not matching type or shape"),
    ("missing_names", gen_missing_names, "undefined inputs and outputs, empty names, no graph"),
    ("duplicated_names", gen_duplicated, "values defined twice, repeated inputs/outputs"),
    ("cycles", gen_cycles, "self loops, cycles, nodes out of order"),
    ("bad_attributes", gen_bad_attributes, "zero/negative/huge kernels, strides, pads, groups, wrong arity"),
    ("axes_out_of_range", gen_axes, "axis/axes/perm/indices outside the rank"),
    ("huge_shapes", gen_huge, "negative, overflowing, above the size limit, rank > 8"),
    ("hostile_names", gen_hostile_names, "quotes, newlines, comments, C keywords, long and non-ASCII names"),
    ("opsets", gen_opsets, "missing, too old/new opset, other domains, unknown ops"),
]


def generate(d):
    rnd = random.Random(13)
    bases = base_models()
    if os.path.isdir(d):
        shutil.rmtree(d)
    total = 0
    for cname, fn, _ in CLASSES:
        os.makedirs(os.path.join(d, cname))
        for case, m in fn(bases, rnd).items():
            data = m if isinstance(m, bytes) else m.SerializeToString()
            with open(os.path.join(d, cname, case + ".onnx"), "wb") as f:
                f.write(data)
            total += 1
    print("malformed_models: wrote %d models in %d classes to %s" % (total, len(CLASSES), d))


TARGETS = ["host", "sw26010", "sw26010pro"]


def check_one(swtc, path, target, out, timeout):
    cmd = [swtc, "compile", path, "--target", target, "-o", out, "-q"]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", "no exit after %d s" % timeout
    finally:
        shutil.rmtree(out, ignore_errors=True)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode == 0:
        return "compiled", ""
    if p.returncode != 1:
        return "crash", "exit %d: %s" % (p.returncode, err.strip()[:300])
    lines = err.splitlines()
    bad = [l for l in lines if not l.startswith("swtc: error:")]
    if not lines or bad:
        return "raw", "stderr line not starting with 'swtc: error:': %r" % (bad[:1] or [""])[0][:300]
    return "refused", lines[0][:300]


def check(args):
    cases = []
    for cname, _, _ in CLASSES:
        cdir = os.path.join(args.dir, cname)
        for i, f in enumerate(sorted(os.listdir(cdir))):
            cases.append((cname, f, os.path.join(cdir, f), TARGETS[i % len(TARGETS)]))
    work = os.path.join(args.dir, "_out")
    os.makedirs(work, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        futs = [ex.submit(check_one, args.swtc, path, t, os.path.join(work, "%s.%s" % (c, f)),
                          args.timeout) for c, f, path, t in cases]
        results = [fu.result() for fu in futs]
    failed = 0
    stats = {}
    for (c, f, path, t), (verdict, msg) in zip(cases, results):
        s = stats.setdefault(c, {"compiled": 0, "refused": 0, "crash": 0, "hang": 0, "raw": 0})
        s[verdict] += 1
        if verdict in ("crash", "hang", "raw"):
            failed += 1
            print("FAIL %s/%s (%s): %s: %s" % (c, f, t, verdict, msg))
        elif args.verbose:
            print("%s %s/%s (%s): %s" % (verdict, c, f, t, msg))
    if args.markdown:
        print("| class | what | models | compiled | refused (named error) | crash | hang | raw text |")
        print("|---|---|---|---|---|---|---|---|")
    for cname, _, what in CLASSES:
        s = stats.get(cname, {})
        n = sum(s.values())
        if args.markdown:
            print("| %s | %s | %d | %d | %d | %d | %d | %d |" % (
                cname, what, n, s.get("compiled", 0), s.get("refused", 0), s.get("crash", 0),
                s.get("hang", 0), s.get("raw", 0)))
        else:
            print("%-18s %4d models: %4d compiled, %4d refused, %d crash, %d hang, %d raw" % (
                cname, n, s.get("compiled", 0), s.get("refused", 0), s.get("crash", 0),
                s.get("hang", 0), s.get("raw", 0)))
    print("malformed_models: %d models, %d failed the check" % (len(cases), failed))
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("dir")
    c = sub.add_parser("check")
    c.add_argument("--swtc", required=True)
    c.add_argument("dir")
    c.add_argument("--jobs", type=int, default=2)
    c.add_argument("--timeout", type=int, default=20)
    c.add_argument("--markdown", action="store_true")
    c.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.cmd == "generate":
        generate(args.dir)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
