#!/usr/bin/python3
"""Writes the small ONNX models of the e2e tests of N-D pooling and integer
tensors into DIR (the e2e tests run them with `swtc run` on every target,
against the reference interpreter):

    make_op_models.py DIR

Integer models take non-zero inputs (swtc run's random integers are 1..9);
constants hold negative values, so Div's truncation toward zero and the
wrap-around of narrow types are exercised.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT


def model(path, nodes, inputs, outputs, inits=(), opset=14):
    # Integer Add/Sub/Mul/Div of 8-bit types need opset 14.
    g = helper.make_graph(nodes, os.path.basename(path)[:-5], inputs, outputs,
                          initializer=[numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.shape_inference.infer_shapes(m, strict_mode=True, check_type=True)
    onnx.save(m, path)


def raw(path, nodes, inputs, outputs, inits=(), opset=14):
    """A model saved as given, without the checker or shape inference."""
    g = helper.make_graph(nodes, os.path.basename(path)[:-5], inputs, outputs,
                          initializer=[numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.save(m, path)


def vi(name, t, shape):
    return helper.make_tensor_value_info(name, t, shape)


def pool(d, name, op, x_shape, y_shape, **attrs):
    model(os.path.join(d, name + ".onnx"), [helper.make_node(op, ["x"], ["y"], **attrs)],
          [vi("x", F, x_shape)], [vi("y", F, y_shape)])


def main(d):
    os.makedirs(d, exist_ok=True)
    # N-D pooling: 1-D (3-D input) and 3-D (5-D input).
    pool(d, "maxpool1d", "MaxPool", [1, 3, 17], [1, 3, 9], kernel_shape=[3], strides=[2],
         pads=[1, 1], dilations=[1])
    pool(d, "maxpool3d_dil", "MaxPool", [1, 2, 7, 8, 9], [1, 2, 3, 4, 5], kernel_shape=[2, 3, 2],
         strides=[2, 2, 2], pads=[0, 1, 0, 0, 0, 1], dilations=[2, 1, 2], ceil_mode=1)
    pool(d, "avgpool1d", "AveragePool", [2, 3, 12], [2, 3, 6], kernel_shape=[3], strides=[2],
         pads=[1, 1], count_include_pad=1)
    pool(d, "avgpool3d", "AveragePool", [1, 2, 6, 7, 5], [1, 2, 4, 4, 3], kernel_shape=[3, 3, 3],
         strides=[2, 2, 2], pads=[1, 1, 1, 1, 1, 1], ceil_mode=1)
    pool(d, "gap3d", "GlobalAveragePool", [1, 4, 3, 5, 2], [1, 4, 1, 1, 1])
    # Integer elementwise ops: numpy broadcasting, negative constants.
    I8, U8, I32, U32, I64, U64 = (TensorProto.INT8, TensorProto.UINT8, TensorProto.INT32,
                                  TensorProto.UINT32, TensorProto.INT64, TensorProto.UINT64)
    model(os.path.join(d, "int_add_u8.onnx"),
          [helper.make_node("Add", ["a", "k"], ["t"]), helper.make_node("Mul", ["t", "a"], ["y"])],
          [vi("a", U8, [2, 3, 4])], [vi("y", U8, [2, 3, 4])],
          inits=[("k", np.array([250, 7, 255, 1], np.uint8))])  # wraps modulo 256
    model(os.path.join(d, "int_div_i8.onnx"),
          [helper.make_node("Sub", ["a", "k"], ["t"]), helper.make_node("Div", ["t", "m"], ["y"])],
          [vi("a", I8, [3, 5])], [vi("y", I8, [3, 5])],
          inits=[("k", np.array([[20], [-3], [127]], np.int8)),
                 ("m", np.array([2, -3, 4, -1, 7], np.int8))])  # -17 / 2 = -8 (truncated)
    model(os.path.join(d, "int_mul_i32.onnx"), [helper.make_node("Mul", ["a", "b"], ["y"])],
          [vi("a", I32, [4, 6]), vi("b", I32, [6])], [vi("y", I32, [4, 6])])
    model(os.path.join(d, "int_sub_u32.onnx"), [helper.make_node("Sub", ["a", "b"], ["y"])],
          [vi("a", U32, [5]), vi("b", U32, [5])], [vi("y", U32, [5])])  # wraps below 0
    model(os.path.join(d, "int_div_u64.onnx"),
          [helper.make_node("Div", ["k", "a"], ["y"])], [vi("a", U64, [2, 4])], [vi("y", U64, [2, 4])],
          inits=[("k", np.array([1000, 77, 5, 9], np.uint64))])
    # INT_MIN / -1 at run time (inputs written beside the model): INT_MIN, the
    # quotient wrapped, as NumPy gives; C's `/` traps (SIGFPE) and so does
    # ONNX Runtime. Other quotients by -1, 1 and a negative divisor beside it.
    for name, t, npt in (("int_div_min_i32", I32, np.int32), ("int_div_min_i64", I64, np.int64)):
        lo = np.iinfo(npt).min
        model(os.path.join(d, name + ".onnx"), [helper.make_node("Div", ["a", "b"], ["y"])],
              [vi("a", t, [2, 4]), vi("b", t, [4])], [vi("y", t, [2, 4])])
        np.save(os.path.join(d, name + ".a.npy"),
                np.array([[lo, lo, 7, -9], [lo, -(2 ** 30), 2 ** 30, 5]], npt))
        np.save(os.path.join(d, name + ".b.npy"), np.array([-1, 1, -1, -2], npt))
    # Signed overflow at run time (issue 13): Add, Sub, Mul and an Add of a
    # wrapped sum wrap modulo 2^32 / 2^64 as in ONNX Runtime and NumPy (C's signed
    # overflow is undefined behaviour: the generated code computes through
    # unsigned arithmetic, swtc_iadd, ...). int64 values are ones a double
    # holds exactly (the interpreter keeps integers in doubles).
    hi32, lo32 = 2 ** 31 - 1, -(2 ** 31)
    p61 = 2 ** 61
    wrap_cases = (
        ("int_wrap_i32", I32, np.int32,
         [[hi32, lo32, hi32, 46341], [lo32, -7, 2 ** 30, 65536]], [1, -1, hi32, 46341]),
        ("int_wrap_i64", I64, np.int64,
         [[3 * p61, -(2 ** 63), 2 * p61, 2 ** 32 + 1], [-(2 ** 63), 3 * p61, 2 ** 40, -7]],
         [2 * p61, -(2 ** 63), 2 * p61, 2 ** 32 - 1]))
    for name, t, npt, av, bv in wrap_cases:
        model(os.path.join(d, name + ".onnx"),
              [helper.make_node("Add", ["a", "b"], ["s"]), helper.make_node("Sub", ["a", "b"], ["d"]),
               helper.make_node("Mul", ["a", "b"], ["p"]),
               helper.make_node("Add", ["s", "a"], ["t"])],
              [vi("a", t, [2, 4]), vi("b", t, [4])],
              [vi(o, t, [2, 4]) for o in ("s", "d", "p", "t")])
        np.save(os.path.join(d, name + ".a.npy"), np.array(av, npt))
        np.save(os.path.join(d, name + ".b.npy"), np.array(bv, npt))
    # Integer Pow beyond the type: pow in double, NaN (a negative base to the
    # power 0.5) as 0, beyond int64 the nearest end (converting such a double
    # to an integer is undefined behaviour in C), then wrapped; a square by
    # the scalar 2.0 is a wrapping multiply.
    model(os.path.join(d, "int_pow_edge_i32.onnx"),
          [helper.make_node("Pow", ["a", "k"], ["y"]), helper.make_node("Pow", ["a", "two"], ["z"])],
          [vi("a", I32, [2, 3])], [vi("y", I32, [2, 3]), vi("z", I32, [2, 3])],
          inits=[("k", np.array([0.5, 30.0, 2.0], np.float32)), ("two", np.array(2.0, np.float32))])
    np.save(os.path.join(d, "int_pow_edge_i32.a.npy"),
            np.array([[-4, 10, 46341], [2, -65536, 7]], np.int32))
    model(os.path.join(d, "int_pow_i64.onnx"), [helper.make_node("Pow", ["a", "b"], ["y"])],
          [vi("a", I64, [3, 4]), vi("b", I64, [4])], [vi("y", I64, [3, 4])])
    model(os.path.join(d, "int_pow_f32_i32.onnx"), [helper.make_node("Pow", ["a", "b"], ["y"])],
          [vi("a", F, [3, 4]), vi("b", I32, [4])], [vi("y", F, [3, 4])])
    model(os.path.join(d, "int_pow_i32_f32.onnx"), [helper.make_node("Pow", ["a", "k"], ["y"])],
          [vi("a", I32, [2, 3])], [vi("y", I32, [2, 3])],
          inits=[("k", np.array([0.5, 2.0, 3.0], np.float32))])
    model(os.path.join(d, "int_clip_i8.onnx"), [helper.make_node("Clip", ["a", "lo", "hi"], ["y"])],
          [vi("a", I8, [4, 5])], [vi("y", I8, [4, 5])],
          inits=[("lo", np.array(3, np.int8)), ("hi", np.array(6, np.int8))])
    model(os.path.join(d, "int_maxpool_u8.onnx"),
          [helper.make_node("MaxPool", ["a"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
                            pads=[1, 1, 1, 1])],
          [vi("a", U8, [1, 2, 7, 6])], [vi("y", U8, [1, 2, 4, 3])])
    model(os.path.join(d, "int_maxpool_i8_neg.onnx"),  # all-negative windows next to padding
          [helper.make_node("Sub", ["k", "a"], ["t"]),
           helper.make_node("MaxPool", ["t"], ["y"], kernel_shape=[2], pads=[1, 1])],
          [vi("a", I8, [1, 3, 5])], [vi("y", I8, [1, 3, 6])], inits=[("k", np.array(-10, np.int8))])
    # Zero-element tensors: a view of one needs no kernel; a computing op on one
    # is the named "not supported" error.
    model(os.path.join(d, "reshape_empty.onnx"),
          [helper.make_node("Reshape", ["x", "s"], ["y"], allowzero=1)],
          [vi("x", F, [0, 3, 4])], [vi("y", F, [3, 4, 0])], inits=[("s", np.array([3, 4, 0], np.int64))])
    model(os.path.join(d, "relu_empty.onnx"), [helper.make_node("Relu", ["x"], ["y"], name="relu0")],
          [vi("x", F, [2, 0])], [vi("y", F, [2, 0])])
    # Rank-0 tensors (scalars) computed by kernels: a scalar input, a reduction
    # over every axis without keepdims, a scalar broadcast into a tensor, a
    # scalar chain that fusion merges, an integer scalar.
    model(os.path.join(d, "scalar_relu.onnx"), [helper.make_node("Relu", ["x"], ["y"])],
          [vi("x", F, [])], [vi("y", F, [])])
    model(os.path.join(d, "scalar_reduce.onnx"),
          [helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
           helper.make_node("Add", ["s", "k"], ["t"]),
           helper.make_node("Relu", ["t"], ["u"]),
           helper.make_node("Mul", ["x", "u"], ["y"]),
           helper.make_node("ReduceMax", ["y"], ["m"], keepdims=0, axes=[0, 1])],
          [vi("x", F, [3, 4])], [vi("y", F, [3, 4]), vi("m", F, []), vi("u", F, [])],
          inits=[("k", np.array(0.25, np.float32))], opset=13)
    model(os.path.join(d, "scalar_int_add_i32.onnx"), [helper.make_node("Add", ["a", "b"], ["y"])],
          [vi("a", I32, []), vi("b", I32, [])], [vi("y", I32, [])])
    # An int32 initializer next to an int32 input (kept int32, not widened).
    model(os.path.join(d, "int_add_i32_init.onnx"),
          [helper.make_node("Add", ["a", "k"], ["t"]), helper.make_node("Mul", ["t", "m"], ["y"])],
          [vi("a", I32, [2, 3])], [vi("y", I32, [2, 3])],
          inits=[("k", np.array([1, -2, 2147483647], np.int32)),
                 ("m", np.array([[3], [-5]], np.int32))])  # wraps modulo 2^32
    # Hostile shapes and attributes (issue 13): each is refused with a named
    # error (tests/e2e/CMakeLists.txt, e2e.refused.*). These skip the checker
    # and ONNX shape inference, which refuse some of them too.
    raw(os.path.join(d, "rank9.onnx"), [helper.make_node("Relu", ["x"], ["y"], name="r")],
        [vi("x", F, [1] * 9)], [vi("y", F, [1] * 9)])
    raw(os.path.join(d, "dims_overflow.onnx"), [helper.make_node("Relu", ["x"], ["y"], name="r")],
        [vi("x", F, [1 << 32, 1 << 32])], [vi("y", F, [1 << 32, 1 << 32])])
    raw(os.path.join(d, "huge_input.onnx"), [helper.make_node("Relu", ["x"], ["y"], name="r")],
        [vi("x", F, [1 << 20, 1 << 20])], [vi("y", F, [1 << 20, 1 << 20])])
    raw(os.path.join(d, "huge_constant_of_shape.onnx"),
        [helper.make_node("ConstantOfShape", ["s"], ["c"], name="cos",
                          value=numpy_helper.from_array(np.array([1.0], np.float32))),
         helper.make_node("Add", ["x", "c"], ["y"])],
        [vi("x", F, [1])], [vi("y", F, [1 << 20, 1 << 12])],
        inits=[("s", np.array([1 << 20, 1 << 12], np.int64))])
    raw(os.path.join(d, "big_constant_of_shape.onnx"),  # fits the memory, not the fold limit
        [helper.make_node("ConstantOfShape", ["s"], ["c"], name="cos",
                          value=numpy_helper.from_array(np.array([1.0], np.float32))),
         helper.make_node("Add", ["x", "c"], ["y"])],
        [vi("x", F, [1])], [vi("y", F, [5000, 5000])],
        inits=[("s", np.array([5000, 5000], np.int64))])
    raw(os.path.join(d, "expand_overflow.onnx"),
        [helper.make_node("Expand", ["x", "s"], ["y"], name="e")],
        [vi("x", F, [1])], [vi("y", F, [3])], inits=[("s", np.array([1 << 62, 4], np.int64))])
    for op in ("MaxPool", "AveragePool"):
        raw(os.path.join(d, "pads_ge_kernel_%s.onnx" % op.lower()),
            [helper.make_node(op, ["x"], ["y"], name="p", kernel_shape=[2, 2], pads=[2, 0, 0, 0])],
            [vi("x", F, [1, 1, 4, 4])], [vi("y", F, [1, 1, 5, 3])])
    raw(os.path.join(d, "int_div_by_zero.onnx"), [helper.make_node("Div", ["a", "k"], ["y"], name="d")],
        [vi("a", I32, [3])], [vi("y", I32, [3])], inits=[("k", np.array([1, 0, 2], np.int32))])
    raw(os.path.join(d, "concat_axis_overflow.onnx"),  # fuzzer-found: 4 x 2^62 rows, no elements
        [helper.make_node("Concat", ["x", "x", "x", "x"], ["y"], axis=2, name="c")],
        [vi("x", F, [0, 2, 1 << 62, 7])], [vi("y", F, [0, 2, 0, 7])])
    raw(os.path.join(d, "depth_to_space_huge_block.onnx"),  # fuzzer-found: blocksize^2 overflowed
        [helper.make_node("DepthToSpace", ["x"], ["y"], name="d", blocksize=1 << 32)],
        [vi("x", F, [2, 8, 2, 3])], [vi("y", F, [1, 2, 4, 6])])
    raw(os.path.join(d, "dropout_huge_mask.onnx"),  # fuzzer-found: a 67M-entry constant mask
        [helper.make_node("Dropout", ["x"], ["y", "z"], name="d")],
        [vi("x", F, [65536, 4, 255])], [vi("y", F, [65536, 4, 255]),
                                        vi("z", TensorProto.BOOL, [65536, 4, 255])])
    # Split in its forms: the `split` attribute (opset 2 and 11, negative
    # axis), the `split` input (opset 13), equal parts. (Opset 18's
    # num_outputs: the ONNX checker swtc runs, onnx 1.12, does not know it.)
    model(os.path.join(d, "split_attr_op2.onnx"),
          [helper.make_node("Split", ["x"], ["a", "b"], axis=1, split=[1, 3])],
          [vi("x", F, [2, 4, 3])], [vi("a", F, [2, 1, 3]), vi("b", F, [2, 3, 3])], opset=2)
    model(os.path.join(d, "split_attr_op11.onnx"),
          [helper.make_node("Split", ["x"], ["a", "b", "c"], axis=-1, split=[2, 3, 1]),
           helper.make_node("Relu", ["b"], ["rb"])],
          [vi("x", F, [2, 3, 6])],
          [vi("a", F, [2, 3, 2]), vi("rb", F, [2, 3, 3]), vi("c", F, [2, 3, 1])], opset=11)
    model(os.path.join(d, "split_input_op13.onnx"),
          [helper.make_node("Mul", ["x", "x"], ["sq"]),
           helper.make_node("Split", ["sq", "s"], ["a", "b"], axis=1),
           helper.make_node("Add", ["a", "k"], ["y0"]),
           helper.make_node("Transpose", ["b"], ["y1"], perm=[0, 2, 1])],
          [vi("x", F, [3, 5, 2])], [vi("y0", F, [3, 1, 2]), vi("y1", F, [3, 2, 4])],
          inits=[("s", np.array([1, 4], np.int64)), ("k", np.array([0.5, -0.25], np.float32))],
          opset=13)
    # Concats computed in place (lower/concat_in_place.h): parts written by
    # convs straight into the output, a part used again after the Concat (its
    # storage must outlive the Concat's last use), a nested Concat, a part
    # whose offset is not 64-byte aligned (kept as a copy), a Concat along h,
    # a Concat with a fused epilogue (kept), and a Concat that is a graph
    # output (kept).
    rng = np.random.default_rng(3)
    cw = lambda *s: rng.standard_normal(s).astype(np.float32) * 0.3
    model(os.path.join(d, "concat_in_place.onnx"),
          [helper.make_node("Conv", ["x", "w1"], ["a"], pads=[1, 1, 1, 1]),
           helper.make_node("Conv", ["x", "w2", "b2"], ["b0"], pads=[1, 1, 1, 1]),
           helper.make_node("Relu", ["b0"], ["b"]),
           helper.make_node("Concat", ["a", "b"], ["c"], axis=1),
           helper.make_node("Mul", ["x", "two"], ["e"]),
           helper.make_node("Concat", ["c", "e"], ["cc"], axis=1),
           helper.make_node("Conv", ["cc", "w3"], ["y"]),
           helper.make_node("Add", ["a", "two"], ["z"]),
           helper.make_node("Conv", ["x", "w4"], ["p"]),
           helper.make_node("Sub", ["x", "two"], ["q"]),
           helper.make_node("Concat", ["p", "q"], ["pq"], axis=1),
           helper.make_node("Relu", ["pq"], ["r"]),
           helper.make_node("Conv", ["x", "w5"], ["h1"], pads=[1, 0, 1, 0]),
           helper.make_node("Conv", ["x", "w5"], ["h2"]),
           helper.make_node("Concat", ["h1", "h2"], ["hh"], axis=2),
           helper.make_node("Conv", ["hh", "w6"], ["t"]),
           helper.make_node("Concat", ["b", "z"], ["o"], axis=1)],
          [vi("x", F, [1, 8, 6, 6])],
          [vi("y", F, [1, 4, 6, 6]), vi("z", F, [1, 16, 6, 6]), vi("r", F, [1, 11, 6, 6]),
           vi("t", F, [1, 1, 14, 6]), vi("o", F, [1, 32, 6, 6])],
          inits=[("w1", cw(16, 8, 3, 3)), ("w2", cw(16, 8, 3, 3)), ("b2", cw(16)),
                 ("w3", cw(4, 40, 1, 1)), ("w4", cw(3, 8, 1, 1)), ("w5", cw(1, 8, 1, 1)), ("w6", cw(1, 1, 1, 1)),
                 ("two", np.array(2.0, np.float32))])
    # 3x3 stride-1 Convs for Winograd F(m x m, 3x3) (lower/winograd.h; the
    # tests force it with --winograd 2 / 4): bias and a fused Relu, no bias
    # with odd sizes and no padding, asymmetric pads, a residual Add fused
    # into the output transform, a stride-2 Conv that keeps the direct form;
    # batch 2.
    model(os.path.join(d, "winograd.onnx"),
          [helper.make_node("Conv", ["x", "wa", "ba"], ["a0"], pads=[1, 1, 1, 1]),
           helper.make_node("Relu", ["a0"], ["a"]),
           helper.make_node("Conv", ["a", "wb"], ["b"]),
           helper.make_node("Conv", ["a", "wc", "bc"], ["c0"], pads=[1, 0, 0, 1]),
           helper.make_node("Conv", ["a", "wd", "bd"], ["d0"], pads=[1, 1, 1, 1]),
           helper.make_node("Add", ["d0", "x"], ["d1"]),
           helper.make_node("Relu", ["d1"], ["d"]),
           helper.make_node("Conv", ["d", "we"], ["e"], pads=[1, 1, 1, 1], strides=[2, 2])],
          [vi("x", F, [2, 12, 11, 9])],
          [vi("b", F, [2, 20, 9, 7]), vi("c0", F, [2, 5, 10, 8]), vi("e", F, [2, 7, 6, 5])],
          inits=[("wa", cw(20, 12, 3, 3)), ("ba", cw(20)), ("wb", cw(20, 20, 3, 3)),
                 ("wc", cw(5, 20, 3, 3)), ("bc", cw(5)), ("wd", cw(12, 20, 3, 3)), ("bd", cw(12)),
                 ("we", cw(7, 12, 3, 3))])
    model(os.path.join(d, "split_equal_op13.onnx"),
          [helper.make_node("Split", ["x"], ["a", "b", "c"], axis=2)],
          [vi("x", F, [2, 2, 9])], [vi(n, F, [2, 2, 3]) for n in "abc"], opset=13)
    # The unary elementwise ops of src/graph/unary_ops.def, each applied to the
    # input (made to fit its domain first), one output each.
    nodes, outs, inits = [], [], [("two", np.array(2.0, np.float32)),
                                 ("shrink", np.array(0.9, np.float32))]
    nodes.append(helper.make_node("Add", ["x", "two"], ["xpos"]))    # [1, 3)
    nodes.append(helper.make_node("Mul", ["x", "shrink"], ["xin"]))  # (-0.9, 0.9)
    scaled = [("s3", np.array(3.0, np.float32))]
    inits += scaled
    nodes.append(helper.make_node("Mul", ["x", "s3"], ["x3"]))       # [-3, 3)
    unary = [("Abs", "x3", {}), ("Log", "xpos", {}), ("Reciprocal", "xpos", {}),
             ("Sin", "x3", {}), ("Cos", "x3", {}), ("Tan", "x", {}), ("Asin", "xin", {}),
             ("Acos", "xin", {}), ("Atan", "x3", {}), ("Sinh", "x3", {}), ("Cosh", "x3", {}),
             ("Asinh", "x3", {}), ("Acosh", "xpos", {}), ("Atanh", "xin", {}),
             ("Round", "x3", {}), ("Sign", "x3", {}), ("LeakyRelu", "x3", {"alpha": 0.2}),
             ("ThresholdedRelu", "x3", {"alpha": 0.5}), ("Elu", "x3", {"alpha": 0.7}),
             ("Selu", "x3", {}), ("Celu", "x3", {"alpha": 1.5}),
             ("HardSigmoid", "x3", {"alpha": 0.3, "beta": 0.4}), ("HardSwish", "x3", {}),
             ("Softplus", "x3", {}), ("Softsign", "x3", {}),
             ("Shrink", "x3", {"lambd": 0.6, "bias": 0.2})]
    for op, src, attrs in unary:
        nodes.append(helper.make_node(op, [src], ["y_" + op.lower()], **attrs))
        outs.append(vi("y_" + op.lower(), F, [2, 3, 8]))
    model(os.path.join(d, "unary_ops.onnx"), nodes, [vi("x", F, [2, 3, 8])], outs, inits=inits,
          opset=17)
    # Variadic Max / Min / Sum / Mean (broadcasting, one and three inputs),
    # PRelu with a per-channel slope, LogSoftmax (opset 13 axis, opset 11
    # coerced to 2-D); integer Max / Min.
    model(os.path.join(d, "variadic_ops.onnx"),
          [helper.make_node("Max", ["a", "b", "c"], ["y_max"]),
           helper.make_node("Min", ["a", "b", "c"], ["y_min"]),
           helper.make_node("Sum", ["a", "b", "c"], ["y_sum"]),
           helper.make_node("Mean", ["a", "b", "c"], ["y_mean"]),
           helper.make_node("Max", ["a"], ["y_max1"]),
           helper.make_node("Mean", ["b", "a"], ["y_mean2"])],
          [vi("a", F, [2, 3, 4]), vi("b", F, [3, 1]), vi("c", F, [4])],
          [vi("y_max", F, [2, 3, 4]), vi("y_min", F, [2, 3, 4]), vi("y_sum", F, [2, 3, 4]),
           vi("y_mean", F, [2, 3, 4]), vi("y_max1", F, [2, 3, 4]), vi("y_mean2", F, [2, 3, 4])],
          opset=13)
    model(os.path.join(d, "int_max_min_i32.onnx"),
          [helper.make_node("Max", ["a", "k"], ["y"]), helper.make_node("Min", ["a", "k", "m"], ["z"])],
          [vi("a", I32, [3, 4])], [vi("y", I32, [3, 4]), vi("z", I32, [3, 4])],
          inits=[("k", np.array([5, -7, 3, 9], np.int32)), ("m", np.array([[2], [8], [-1]], np.int32))],
          opset=13)
    model(os.path.join(d, "prelu_logsoftmax.onnx"),
          [helper.make_node("PRelu", ["x", "slope"], ["p"]),
           helper.make_node("LogSoftmax", ["p"], ["y"], axis=1),
           helper.make_node("LogSoftmax", ["x"], ["z"])],
          [vi("x", F, [2, 3, 4, 5])], [vi("y", F, [2, 3, 4, 5]), vi("z", F, [2, 3, 4, 5])],
          inits=[("slope", np.array([[[0.25]], [[-0.5]], [[1.5]]], np.float32))], opset=13)
    model(os.path.join(d, "logsoftmax_op11.onnx"),
          [helper.make_node("LogSoftmax", ["x"], ["y"], axis=1)],
          [vi("x", F, [2, 3, 4])], [vi("y", F, [2, 3, 4])], opset=11)
    # Pad: constant (pads and constant_value inputs, a negative pad crops),
    # reflect, edge (opset 13); the attribute form (opset 2); Tile.
    model(os.path.join(d, "pad_modes.onnx"),
          [helper.make_node("Pad", ["x", "p1", "cv"], ["y_const"], mode="constant"),
           helper.make_node("Pad", ["x", "p2"], ["y_reflect"], mode="reflect"),
           helper.make_node("Pad", ["x", "p2"], ["y_edge"], mode="edge")],
          [vi("x", F, [2, 3, 4, 5])],
          [vi("y_const", F, [2, 4, 6, 5]), vi("y_reflect", F, [2, 3, 7, 9]),
           vi("y_edge", F, [2, 3, 7, 9])],
          inits=[("p1", np.array([0, 1, 2, 1, 0, 0, 0, -1], np.int64)),
                 ("cv", np.array(1.5, np.float32)),
                 ("p2", np.array([0, 0, 1, 3, 0, 0, 2, 1], np.int64))], opset=13)
    model(os.path.join(d, "pad_op2.onnx"),
          [helper.make_node("Pad", ["x"], ["y"], mode="constant", pads=[1, 0, 2, 3], value=-0.5)],
          [vi("x", F, [3, 4])], [vi("y", F, [6, 7])], opset=2)
    model(os.path.join(d, "tile.onnx"),
          [helper.make_node("Tile", ["x", "r"], ["y"]), helper.make_node("Relu", ["y"], ["z"])],
          [vi("x", F, [2, 3, 4])], [vi("z", F, [2, 6, 12])],
          inits=[("r", np.array([1, 2, 3], np.int64))], opset=13)
    # The Reduce ops beyond Sum/Mean/Max (axes as attribute at opset 13, as
    # an input at 18), ArgMax / ArgMin (ties from Floor: first and last
    # index), LayerNormalization's Mean / InvStdDev outputs, Shape and Size
    # as graph outputs (constants copied out).
    model(os.path.join(d, "reduce_ops.onnx"),
          [helper.make_node("ReduceMin", ["x"], ["y_min"], axes=[1], keepdims=0),
           helper.make_node("ReduceProd", ["x"], ["y_prod"], axes=[2]),
           helper.make_node("ReduceL1", ["x"], ["y_l1"], axes=[0, 2], keepdims=0),
           helper.make_node("ReduceL2", ["x"], ["y_l2"], axes=[-1]),
           helper.make_node("ReduceSumSquare", ["x"], ["y_ss"]),
           helper.make_node("Exp", ["x"], ["ex"]),
           helper.make_node("ReduceLogSum", ["ex"], ["y_ls"], axes=[1]),
           helper.make_node("ReduceLogSumExp", ["x"], ["y_lse"], axes=[1, 2], keepdims=0),
           helper.make_node("ReduceLogSumExp", ["x"], ["y_lse_k"], axes=[0])],
          [vi("x", F, [2, 3, 4])],
          [vi("y_min", F, [2, 4]), vi("y_prod", F, [2, 3, 1]), vi("y_l1", F, [3]),
           vi("y_l2", F, [2, 3, 1]), vi("y_ss", F, [1, 1, 1]), vi("y_ls", F, [2, 1, 4]),
           vi("y_lse", F, [2]), vi("y_lse_k", F, [1, 3, 4])], opset=13)
    model(os.path.join(d, "argmax_ops.onnx"),
          [helper.make_node("ArgMax", ["x"], ["y_max"], axis=1),
           helper.make_node("ArgMin", ["x"], ["y_min"], axis=-1, keepdims=0),
           helper.make_node("Floor", ["x"], ["f"]),
           helper.make_node("ArgMax", ["f"], ["y_max_first"], axis=2, keepdims=0),
           helper.make_node("ArgMax", ["f"], ["y_max_last"], axis=2, select_last_index=1),
           helper.make_node("ArgMin", ["f"], ["y_min_last"], axis=0, select_last_index=1)],
          [vi("x", F, [3, 4, 5])],
          [vi("y_max", I64, [3, 1, 5]), vi("y_min", I64, [3, 4]), vi("y_max_first", I64, [3, 4]),
           vi("y_max_last", I64, [3, 4, 1]), vi("y_min_last", I64, [1, 4, 5])], opset=13)
    model(os.path.join(d, "layernorm_stats.onnx"),
          [helper.make_node("LayerNormalization", ["x", "s", "b"], ["y", "mean", "inv"], axis=-2,
                            epsilon=1e-3)],
          [vi("x", F, [2, 3, 4])],
          [vi("y", F, [2, 3, 4]), vi("mean", F, [2, 1, 1]), vi("inv", F, [2, 1, 1])],
          inits=[("s", np.linspace(0.5, 1.5, 12, dtype=np.float32).reshape(3, 4)),
                 ("b", np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4))], opset=17)
    model(os.path.join(d, "shape_size.onnx"),
          [helper.make_node("Shape", ["x"], ["shape"]),
           helper.make_node("Shape", ["x"], ["shape_tail"], start=-2),
           helper.make_node("Size", ["x"], ["size"]),
           helper.make_node("Relu", ["x"], ["y"])],
          [vi("x", F, [2, 3, 4])],
          [vi("shape", I64, [3]), vi("shape_tail", I64, [2]), vi("size", I64, []),
           vi("y", F, [2, 3, 4])], opset=15)
    # Bool tensors: comparisons (float and int32 operands, broadcasting),
    # And / Or / Xor / Not on bool inputs, Where, Cast between float, int and
    # bool (opset 13).
    B = TensorProto.BOOL
    model(os.path.join(d, "bool_ops.onnx"),
          [helper.make_node("Floor", ["a"], ["fa"]),  # ties for the comparisons
           helper.make_node("Floor", ["b"], ["fb"]),
           helper.make_node("Greater", ["a", "b"], ["gt"]),
           helper.make_node("Less", ["a", "c"], ["lt"]),
           helper.make_node("GreaterOrEqual", ["fa", "fb"], ["ge"]),
           helper.make_node("LessOrEqual", ["fa", "fb"], ["le"]),
           helper.make_node("Equal", ["fa", "fb"], ["eq"]),
           helper.make_node("Equal", ["i", "j"], ["eq_i"]),
           helper.make_node("Greater", ["i", "j"], ["gt_i"]),
           helper.make_node("And", ["p", "q"], ["and"]),
           helper.make_node("Or", ["p", "q"], ["or"]),
           helper.make_node("Xor", ["p", "q"], ["xor"]),
           helper.make_node("Not", ["p"], ["not"]),
           helper.make_node("Where", ["gt", "a", "b"], ["where"]),
           helper.make_node("Where", ["q", "i", "j"], ["where_i"]),
           helper.make_node("Cast", ["gt"], ["gt_f"], to=TensorProto.FLOAT),
           helper.make_node("Mul", ["a", "a3"], ["a3x"]),
           helper.make_node("Cast", ["a3x"], ["a_i32"], to=TensorProto.INT32),
           helper.make_node("Cast", ["fa"], ["a_bool"], to=TensorProto.BOOL),
           helper.make_node("Cast", ["i"], ["i_f"], to=TensorProto.FLOAT),
           helper.make_node("Cast", ["p"], ["p_i64"], to=TensorProto.INT64)],
          [vi("a", F, [3, 4]), vi("b", F, [3, 4]), vi("c", F, [4]), vi("p", B, [3, 4]),
           vi("q", B, [4]), vi("i", I32, [3, 4]), vi("j", I32, [1, 4])],
          [vi("gt", B, [3, 4]), vi("lt", B, [3, 4]), vi("ge", B, [3, 4]), vi("le", B, [3, 4]),
           vi("eq", B, [3, 4]), vi("eq_i", B, [3, 4]), vi("gt_i", B, [3, 4]),
           vi("and", B, [3, 4]), vi("or", B, [3, 4]), vi("xor", B, [3, 4]), vi("not", B, [3, 4]),
           vi("where", F, [3, 4]), vi("where_i", I32, [3, 4]), vi("gt_f", F, [3, 4]),
           vi("a_i32", I32, [3, 4]), vi("a_bool", B, [3, 4]), vi("i_f", F, [3, 4]),
           vi("p_i64", I64, [3, 4])],
          inits=[("a3", np.array(3.7, np.float32))], opset=13)
    # Losses with a constant target (the conformance run binds int64 inputs):
    # NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, every reduction,
    # weights, ignore_index, the log_prob output.
    tgt = np.array([[0, 4], [2, 2], [1, 3]], np.int64)
    model(os.path.join(d, "nll_loss.onnx"),
          [helper.make_node("NegativeLogLikelihoodLoss", ["x", "t"], ["nll_none"], reduction="none"),
           helper.make_node("NegativeLogLikelihoodLoss", ["x", "t", "w"], ["nll_mean_w"],
                            ignore_index=2),
           helper.make_node("NegativeLogLikelihoodLoss", ["x", "t"], ["nll_sum"], reduction="sum"),
           helper.make_node("SoftmaxCrossEntropyLoss", ["x", "t"], ["sce", "log_prob"]),
           helper.make_node("SoftmaxCrossEntropyLoss", ["x", "t", "w"], ["sce_none_w"],
                            reduction="none", ignore_index=4)],
          [vi("x", F, [3, 5, 2])],
          [vi("nll_none", F, [3, 2]), vi("nll_mean_w", F, []), vi("nll_sum", F, []),
           vi("sce", F, []), vi("log_prob", F, [3, 5, 2]), vi("sce_none_w", F, [3, 2])],
          inits=[("t", tgt), ("w", np.array([0.5, 1.0, 2.0, 0.25, 1.5], np.float32))], opset=13)
    # Gather (constant indices, negative ones, a scalar index; run-time
    # indices, 1..9 from swtc run), GatherElements, Trilu (k as an input).
    model(os.path.join(d, "gather_trilu.onnx"),
          [helper.make_node("Gather", ["x", "gi"], ["g1"], axis=1),
           helper.make_node("Gather", ["x", "g0"], ["g_scalar"], axis=-1),
           helper.make_node("Gather", ["z", "ri"], ["g_rt"], axis=1),
           helper.make_node("GatherElements", ["x", "ei"], ["ge0"], axis=0),
           helper.make_node("GatherElements", ["x", "ej"], ["ge2"], axis=-1),
           helper.make_node("Trilu", ["x", "k1"], ["triu"]),
           helper.make_node("Trilu", ["x", "km"], ["tril"], upper=0)],
          [vi("x", F, [2, 4, 5]), vi("z", F, [2, 10]), vi("ri", I64, [3])],
          [vi("g1", F, [2, 2, 2, 5]), vi("g_scalar", F, [2, 4]), vi("g_rt", F, [2, 3]),
           vi("ge0", F, [2, 3, 5]), vi("ge2", F, [2, 4, 2]), vi("triu", F, [2, 4, 5]),
           vi("tril", F, [2, 4, 5])],
          inits=[("gi", np.array([[3, -1], [0, 2]], np.int64)), ("g0", np.array(-2, np.int64)),
                 ("ei", np.array([[[1, 0, 1, 1, 0], [0, 0, 1, -1, 1], [1, 1, 0, 0, -2]]] * 2,
                                 np.int64)),
                 ("ej", np.array([[[4, 0], [1, 1], [-1, 2], [3, 3]]] * 2, np.int64)),
                 ("k1", np.array(1, np.int64)), ("km", np.array(-1, np.int64))], opset=14)
    # Mod (float fmod, integer both signs), IsInf / IsNaN (of x / 0),
    # DepthToSpace (DCR, CRD), SpaceToDepth, GlobalMaxPool,
    # InstanceNormalization, Hardmax, EyeLike, Range (constant inputs: folded).
    model(os.path.join(d, "misc_ops.onnx"),
          [helper.make_node("Mod", ["x", "fd"], ["mod_f"], fmod=1),
           helper.make_node("Mod", ["i", "id"], ["mod_i"]),
           helper.make_node("Mod", ["i", "id"], ["mod_i_fmod"], fmod=1),
           helper.make_node("Sub", ["x", "x"], ["zero"]),
           helper.make_node("Div", ["num", "zero"], ["special"]),
           helper.make_node("IsInf", ["special"], ["isinf"]),
           helper.make_node("IsInf", ["special"], ["isinf_neg"], detect_positive=0),
           helper.make_node("IsNaN", ["special"], ["isnan"]),
           helper.make_node("DepthToSpace", ["c"], ["d2s"], blocksize=2),
           helper.make_node("DepthToSpace", ["c"], ["d2s_crd"], blocksize=2, mode="CRD"),
           helper.make_node("SpaceToDepth", ["c"], ["s2d"], blocksize=2),
           helper.make_node("GlobalMaxPool", ["c"], ["gmp"]),
           helper.make_node("InstanceNormalization", ["c", "sc", "bi"], ["inorm"], epsilon=1e-3),
           helper.make_node("Hardmax", ["c"], ["hardmax"], axis=1),
           helper.make_node("EyeLike", ["x"], ["eye"], k=1),
           helper.make_node("Range", ["r0", "r1", "r2"], ["range"])],
          [vi("x", F, [3, 4]), vi("i", I32, [3, 4]), vi("c", F, [1, 8, 4, 6])],
          [vi("mod_f", F, [3, 4]), vi("mod_i", I32, [3, 4]), vi("mod_i_fmod", I32, [3, 4]),
           vi("isinf", TensorProto.BOOL, [3, 4]), vi("isinf_neg", TensorProto.BOOL, [3, 4]),
           vi("isnan", TensorProto.BOOL, [3, 4]), vi("d2s", F, [1, 2, 8, 12]),
           vi("d2s_crd", F, [1, 2, 8, 12]), vi("s2d", F, [1, 32, 2, 3]), vi("gmp", F, [1, 8, 1, 1]),
           vi("inorm", F, [1, 8, 4, 6]), vi("hardmax", F, [1, 8, 4, 6]), vi("eye", F, [3, 4]),
           vi("range", F, [5])],
          inits=[("fd", np.array([0.3, -0.7, 0.45, -0.2], np.float32)),
                 ("id", np.array([[4], [-3], [2]], np.int32)),
                 ("num", np.array([1.0, -1.0, 0.0, 2.0], np.float32)),
                 ("sc", np.linspace(0.5, 2, 8, dtype=np.float32)),
                 ("bi", np.linspace(-1, 1, 8, dtype=np.float32)),
                 ("r0", np.array(1.0, np.float32)), ("r1", np.array(3.4, np.float32)),
                 ("r2", np.array(0.5, np.float32))], opset=13)
    # ScatterND (compile-time indices: q = 1 over rows, q = 2 with a
    # negative index; run-time data and updates; one with constant inputs
    # only, folded), ScatterElements (axis 1, a negative index), Dropout in training mode with ratio 0 (the identity) and
    # its mask output, pads computed by Transpose and Mod of constants, and
    # an empty constant Slice folded into a Concat (Swin-T's export).
    I64 = TensorProto.INT64
    model(os.path.join(d, "scatter_dropout.onnx"),
          [helper.make_node("ScatterND", ["x", "i1", "u1"], ["sc1"]),
           helper.make_node("ScatterND", ["x", "i2", "u2"], ["sc2"]),
           helper.make_node("ScatterND", ["cd", "i1", "cu"], ["cs"]),
           helper.make_node("ScatterElements", ["x", "ie", "u3"], ["se"], axis=1),
           helper.make_node("Add", ["sc2", "cs"], ["sc_const"]),
           helper.make_node("Dropout", ["x", "ratio0", "on"], ["drop", "mask"]),
           helper.make_node("Transpose", ["pc"], ["pt"], perm=[1, 0]),
           helper.make_node("Mod", ["pt", "three"], ["pm"]),
           helper.make_node("Reshape", ["pm", "pshape"], ["pads"]),
           helper.make_node("Pad", ["y", "pads"], ["padded"]),
           helper.make_node("Slice", ["c4", "s2", "s2"], ["empty"]),
           helper.make_node("Concat", ["empty", "c3"], ["c3b"], axis=0),
           helper.make_node("Add", ["y", "c3b"], ["y_plus"])],
          [vi("x", F, [4, 5, 3]), vi("u1", F, [2, 5, 3]), vi("u2", F, [2, 3]),
           vi("y", F, [2, 3]), vi("u3", F, [4, 2, 3])],
          [vi("sc1", F, [4, 5, 3]), vi("se", F, [4, 5, 3]), vi("sc_const", F, [4, 5, 3]), vi("drop", F, [4, 5, 3]),
           vi("mask", TensorProto.BOOL, [4, 5, 3]), vi("padded", F, [5, 4]),
           vi("y_plus", F, [2, 3])],
          inits=[("i1", np.array([[3], [1]], np.int64)),
                 ("ie", np.array([[[0, 1, 2], [4, -1, 3]]] * 4, np.int64)),
                 ("i2", np.array([[0, 4], [2, -1]], np.int64)),
                 ("cd", np.linspace(-1, 1, 60, dtype=np.float32).reshape(4, 5, 3)),
                 ("cu", np.linspace(2, 3, 30, dtype=np.float32).reshape(2, 5, 3)),
                 ("ratio0", np.array(0.0, np.float32)), ("on", np.array(True)),
                 ("pc", np.array([[7, 5], [4, 9]], np.int64)), ("three", np.array(3, np.int64)),
                 ("pshape", np.array([4], np.int64)),
                 ("c4", np.array([1, 2, 3, 4], np.float32)), ("s2", np.array([2], np.int64)),
                 ("c3", np.array([0.5, -1.5, 2.5], np.float32))], opset=13)
    # ScatterND with run-time indices: the named "not supported" error;
    # reduction 'add' (opset 16): the same.
    model(os.path.join(d, "scatter_rt_indices.onnx"),
          [helper.make_node("ScatterND", ["x", "i", "u"], ["y"])],
          [vi("x", F, [4, 3]), vi("i", I64, [2, 1]), vi("u", F, [2, 3])], [vi("y", F, [4, 3])],
          opset=13)
    model(os.path.join(d, "scatter_add.onnx"),
          [helper.make_node("ScatterND", ["x", "i", "u"], ["y"], reduction="add")],
          [vi("x", F, [4, 3]), vi("u", F, [2, 3])], [vi("y", F, [4, 3])],
          inits=[("i", np.array([[3], [1]], np.int64))], opset=16)
    # Copies of integer tensors (Transpose, Concat, Slice, Split, Pad in
    # every mode, Expand) and Max / Min of uint64.
    model(os.path.join(d, "int_copies.onnx"),
          [helper.make_node("Transpose", ["a"], ["tr"], perm=[2, 0, 1]),
           helper.make_node("Concat", ["a", "a"], ["cat"], axis=1),
           helper.make_node("Slice", ["a", "s0", "s1", "sax"], ["sl"]),
           helper.make_node("Split", ["a"], ["sp0", "sp1"], axis=2),
           helper.make_node("Pad", ["a", "pads"], ["pad_edge"], mode="edge"),
           helper.make_node("Pad", ["a", "pads"], ["pad_reflect"], mode="reflect"),
           helper.make_node("Pad", ["a", "pads", "pv"], ["pad_const"]),
           helper.make_node("Expand", ["a", "eshape"], ["ex"]),
           helper.make_node("Max", ["u", "uk"], ["umax"]),
           helper.make_node("Min", ["u", "uk"], ["umin"])],
          [vi("a", I32, [2, 3, 4]), vi("u", U64, [4])],
          [vi("tr", I32, [4, 2, 3]), vi("cat", I32, [2, 6, 4]), vi("sl", I32, [2, 2, 4]),
           vi("sp0", I32, [2, 3, 2]), vi("sp1", I32, [2, 3, 2]), vi("pad_edge", I32, [2, 4, 7]),
           vi("pad_reflect", I32, [2, 4, 7]), vi("pad_const", I32, [2, 4, 7]),
           vi("ex", I32, [2, 2, 3, 4]), vi("umax", U64, [4]), vi("umin", U64, [4])],
          inits=[("s0", np.array([1], np.int64)), ("s1", np.array([3], np.int64)),
                 ("sax", np.array([1], np.int64)),
                 ("pads", np.array([0, 1, 2, 0, 0, 1], np.int64)), ("pv", np.array(-5, np.int32)),
                 ("eshape", np.array([2, 1, 1, 1], np.int64)),
                 ("uk", np.array([3, 2**40 + 5, 0, 7], np.uint64))], opset=13)
    # Graph outputs that are a view (a Reshape) or a constant and that other
    # nodes read too: the readers must see the values, not the output buffer
    # before its copy (the expanded SoftmaxCrossEntropyLoss tests' log_prob).
    model(os.path.join(d, "output_read_again.onnx"),
          [helper.make_node("Relu", ["x"], ["r"]),
           helper.make_node("Reshape", ["r", "shp"], ["view_out"]),
           helper.make_node("Mul", ["view_out", "view_out"], ["sq"]),
           helper.make_node("Identity", ["c"], ["const_out"]),
           helper.make_node("Add", ["const_out", "sq"], ["sum"]),
           # The same shape: the reader could be fused into the view's source.
           helper.make_node("Exp", ["x"], ["e"]),
           helper.make_node("Reshape", ["e", "shp_same"], ["view_same"]),
           helper.make_node("Mul", ["view_same", "view_same"], ["sq_same"])],
          [vi("x", F, [2, 6])],
          [vi("view_out", F, [3, 4]), vi("sq", F, [3, 4]), vi("const_out", F, [4]),
           vi("sum", F, [3, 4]), vi("view_same", F, [2, 6]), vi("sq_same", F, [2, 6])],
          inits=[("shp", np.array([3, 4], np.int64)), ("shp_same", np.array([2, 6], np.int64)),
                 ("c", np.array([0.5, -1.0, 2.0, 0.25], np.float32))], opset=13)
    # Resize (graph/resize.h: per-axis MatMuls with constant interpolation
    # matrices): nearest / linear / cubic, the coordinate modes torchvision
    # exports (asymmetric nearest, half_pixel / align_corners /
    # pytorch_half_pixel linear), scales and sizes, up and down, a resized
    # channel axis (a middle axis), tf_crop_and_resize with an extrapolated
    # border; Upsample (opset 9) and Resize-10 (asymmetric).
    def rs(out, mode, coord, scales=None, sizes=None, **kw):
        ins = ["x", "", "sc_" + out if scales is not None else "",
               "sz_" + out if sizes is not None else ""]
        while ins[-1] == "":
            ins.pop()
        inits = [("sc_" + out, np.array(scales, np.float32))] if scales is not None else []
        inits += [("sz_" + out, np.array(sizes, np.int64))] if sizes is not None else []
        return (helper.make_node("Resize", ins, [out], mode=mode,
                                 coordinate_transformation_mode=coord, **kw), inits)
    xs = [2, 3, 5, 6]
    specs = [rs("nearest_up", "nearest", "asymmetric", scales=[1, 1, 2, 2], nearest_mode="floor"),
             rs("nearest_hp", "nearest", "half_pixel", sizes=[2, 3, 7, 4]),
             rs("nearest_ceil", "nearest", "align_corners", sizes=[2, 3, 9, 13],
                nearest_mode="round_prefer_ceil"),
             rs("linear_hp", "linear", "half_pixel", scales=[1, 1, 2, 2]),
             rs("linear_ac", "linear", "align_corners", sizes=[2, 3, 9, 11]),
             rs("linear_pt", "linear", "pytorch_half_pixel", sizes=[2, 3, 3, 1]),
             rs("linear_down", "linear", "half_pixel", scales=[1, 1, 0.5, 0.5]),
             rs("linear_channels", "linear", "half_pixel", sizes=[2, 5, 5, 6]),
             rs("cubic_hp", "cubic", "half_pixel", scales=[1, 1, 2, 1.5]),
             rs("cubic_excl", "cubic", "asymmetric", sizes=[2, 3, 4, 9], cubic_coeff_a=-0.5,
                exclude_outside=1)]
    def out_shape(n, inits):
        v = dict(inits)[n.input[2] or n.input[3]] if len(n.input) > 2 else None
        if n.input[-1].startswith("sz_"):
            return [int(e) for e in dict(inits)[n.input[-1]]]
        return [int(np.floor(a * float(sc))) for a, sc in zip(xs, v)]
    outs = [(n.output[0], out_shape(n, ii)) for n, ii in specs]
    nodes = [n for n, _ in specs]
    inits = [i for _, ii in specs for i in ii]
    nodes.append(helper.make_node("Resize", ["x", "roi", "", "sz_crop"], ["crop"], mode="linear",
                                  coordinate_transformation_mode="tf_crop_and_resize",
                                  extrapolation_value=0.75))
    inits += [("roi", np.array([0, 0, -0.2, 0.3, 1, 1, 0.9, 1.4], np.float32)),
              ("sz_crop", np.array([2, 3, 6, 5], np.int64))]
    model(os.path.join(d, "resize_ops.onnx"), nodes, [vi("x", F, xs)],
          [vi(o, F, sh) for o, sh in outs] + [vi("crop", F, [2, 3, 6, 5])], inits=inits, opset=13)
    model(os.path.join(d, "upsample_op9.onnx"),
          [helper.make_node("Upsample", ["x", "s"], ["y"], mode="nearest"),
           helper.make_node("Upsample", ["x", "s2"], ["z"], mode="linear")],
          [vi("x", F, [1, 2, 3, 4])], [vi("y", F, [1, 2, 6, 12]), vi("z", F, [1, 2, 6, 6])],
          inits=[("s", np.array([1, 1, 2, 3], np.float32)),
                 ("s2", np.array([1, 1, 2, 1.5], np.float32))], opset=9)
    model(os.path.join(d, "resize_op10.onnx"),
          [helper.make_node("Resize", ["x", "s"], ["y"], mode="linear")],
          [vi("x", F, [1, 2, 4, 4])], [vi("y", F, [1, 2, 8, 6])],
          inits=[("s", np.array([1, 1, 2, 1.5], np.float32))], opset=10)
    # ConvTranspose (decompose: zero insertion, Pad, Conv with the flipped
    # weight): constant weights with bias, stride 2 + output_padding, groups,
    # dilations and pads, output_shape, 1-D, and a run-time weight.
    rng = np.random.default_rng(15)
    def wts(*shape):
        return rng.uniform(-1, 1, shape).astype(np.float32)
    model(os.path.join(d, "convtranspose.onnx"),
          [helper.make_node("ConvTranspose", ["x", "w1", "b1"], ["up2"], strides=[2, 2],
                            pads=[1, 1, 1, 1], output_padding=[1, 1]),
           helper.make_node("ConvTranspose", ["x", "w2"], ["grouped"], group=2,
                            dilations=[2, 1], pads=[0, 1, 2, 0], strides=[1, 3]),
           helper.make_node("ConvTranspose", ["x", "w1"], ["shaped"], strides=[3, 2],
                            output_shape=[14, 12]),
           helper.make_node("ConvTranspose", ["x", "wr"], ["runtime_w"], strides=[2, 1],
                            auto_pad="SAME_UPPER"),
           helper.make_node("ConvTranspose", ["s", "w1d"], ["one_d"], strides=[2], pads=[1, 0])],
          [vi("x", F, [2, 4, 5, 6]), vi("wr", F, [4, 3, 2, 3]), vi("s", F, [1, 4, 7])],
          [vi("up2", F, [2, 3, 10, 12]), vi("grouped", F, [2, 6, 7, 16]),
           vi("shaped", F, [2, 3, 14, 12]), vi("runtime_w", F, [2, 3, 10, 6]),
           vi("one_d", F, [1, 2, 14])],
          inits=[("w1", wts(4, 3, 3, 3)), ("b1", wts(3)), ("w2", wts(4, 3, 3, 2)),
                 ("w1d", wts(4, 2, 3))], opset=13)
    # Conv over 1 and 3 spatial axes (decompose: 1-D as 2-D with a unit
    # axis, 3-D as a sum of 2-D Convs over the depth taps): bias, strides,
    # dilations, pads, auto_pad, groups, a run-time 3-D weight.
    model(os.path.join(d, "conv_nd.onnx"),
          [helper.make_node("Conv", ["s", "c1w", "c1b"], ["one_d"], pads=[1, 2], strides=[2],
                            dilations=[2]),
           helper.make_node("Conv", ["s", "c1g"], ["one_d_grouped"], group=2,
                            auto_pad="SAME_UPPER", kernel_shape=[3]),
           helper.make_node("Conv", ["v", "c3w", "c3b"], ["three_d"], strides=[2, 1, 2],
                            pads=[1, 0, 1, 0, 1, 1], dilations=[2, 1, 1]),
           helper.make_node("Conv", ["v", "c3r"], ["three_d_runtime_w"], group=2,
                            pads=[1, 1, 1, 1, 1, 1])],
          [vi("s", F, [2, 4, 11]), vi("v", F, [2, 4, 5, 6, 7]), vi("c3r", F, [4, 2, 3, 3, 3])],
          [vi("one_d", F, [2, 6, 5]), vi("one_d_grouped", F, [2, 4, 11]),
           vi("three_d", F, [2, 3, 2, 5, 4]), vi("three_d_runtime_w", F, [2, 4, 5, 6, 7])],
          inits=[("c1w", wts(6, 4, 3)), ("c1b", wts(6)), ("c1g", wts(4, 2, 3)),
                 ("c3w", wts(3, 4, 2, 3, 2)), ("c3b", wts(3))], opset=13)
    # An opset-6 model whose ops the importer converts to opset 7
    # (frontend/onnx/legacy_opset.h): old-style broadcast with axis and by
    # suffix, a per-channel PRelu slope, BatchNormalization is_test=1, Gemm's
    # broadcast bias.
    model(os.path.join(d, "legacy_opset6.onnx"),
          [helper.make_node("Add", ["a", "b"], ["s1"], broadcast=1, axis=1),
           helper.make_node("PRelu", ["s1", "slope"], ["s2"]),
           helper.make_node("BatchNormalization", ["s2", "sc", "bi", "mu", "va"], ["s3"],
                            is_test=1, epsilon=1e-3),
           helper.make_node("Mul", ["s3", "c"], ["y"], broadcast=1),
           helper.make_node("Gemm", ["m", "gw", "gb"], ["z"], broadcast=1, transB=1)],
          [vi("a", F, [2, 3, 4, 5]), vi("b", F, [3]), vi("c", F, [4, 5]), vi("m", F, [2, 6])],
          [vi("y", F, [2, 3, 4, 5]), vi("z", F, [2, 4])],
          inits=[("slope", wts(3)), ("sc", wts(3)), ("bi", wts(3)), ("mu", wts(3)),
                 ("va", rng.uniform(0.5, 2, 3).astype(np.float32)), ("gw", wts(4, 6)),
                 ("gb", wts(4))], opset=6)
    # Dropout's mask output at inference (all true: a constant copied out),
    # beside a kernel that reads the Dropout's output.
    model(os.path.join(d, "dropout_mask.onnx"),
          [helper.make_node("Dropout", ["x", "ratio"], ["y", "mask"]),
           helper.make_node("Sin", ["y"], ["s"])],
          [vi("x", F, [2, 3, 4])],
          [vi("s", F, [2, 3, 4]), vi("mask", TensorProto.BOOL, [2, 3, 4])],
          inits=[("ratio", np.array(0.3, np.float32))], opset=13)
    # Compile time (issue 13, fuzzing timeouts): huge windows and guarded
    # domains on Sunway targets, where counting the executed flops enumerated
    # up to 2^22 points per store and tiling candidate; e2e.compile_time.*.
    model(os.path.join(d, "slow_avgpool_window.onnx"),
          [helper.make_node("AveragePool", ["x"], ["y"], auto_pad="SAME_UPPER",
                            kernel_shape=[65536, 1], strides=[3, 2])],
          [vi("x", F, [1, 7, 9, 2])], [vi("y", F, [1, 7, 3, 1])])
    model(os.path.join(d, "slow_softmax_wide.onnx"), [helper.make_node("Softmax", ["x"], ["y"])],
          [vi("x", F, [35, 65536, 47])], [vi("y", F, [35, 65536, 47])])
    model(os.path.join(d, "slow_softmax_axis0.onnx"),
          [helper.make_node("Softmax", ["x"], ["y"], axis=0)],
          [vi("x", F, [2, 39, 256, 5, 256, 3])], [vi("y", F, [2, 39, 256, 5, 256, 3])])
    model(os.path.join(d, "slow_maxpool_dilated.onnx"),
          [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], dilations=[2, 2],
                            strides=[1, 1])],
          [vi("x", F, [1, 9, 65536, 4])], [vi("y", F, [1, 9, 65534, 2])])
    model(os.path.join(d, "slow_avgpool_batch.onnx"),
          [helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[5, 1], strides=[3, 3])],
          [vi("x", F, [65536, 3, 32, 2])], [vi("y", F, [65536, 3, 10, 1])])
    # Fuzzing run 4's timeout (19 s on sw26010 when a guard the flop count
    # cannot solve was enumerated point by point; now at most 2^16 points).
    model(os.path.join(d, "slow_maxpool_same_lower.onnx"),
          [helper.make_node("MaxPool", ["x"], ["y"], auto_pad="SAME_LOWER", kernel_shape=[2, 255])],
          [vi("x", F, [5, 3, 65536, 32])], [vi("y", F, [5, 3, 65536, 32])])
    # Fuzzing run 5's timeout input (sw26010; 52 s wall but 2.2 s CPU under ASan
    # on a machine at load 20-90, 0.1 s CPU in a release build).
    model(os.path.join(d, "slow_maxpool_wide_batch.onnx"),
          [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[9, 7])],
          [vi("x", F, [64, 3, 32, 65536])], [vi("y", F, [64, 3, 24, 65530])], opset=7)
    # Ops without integer support in swtc: the named "not supported" error.
    model(os.path.join(d, "int_relu_i32.onnx"), [helper.make_node("Relu", ["a"], ["y"], name="relu_i32")],
          [vi("a", I32, [4])], [vi("y", I32, [4])])

    # Weight MatMuls whose row operand sw26010 transposes once
    # (lower/transpose_rows.h: M >= 64, K, N >= 256; two of them share one
    # A^T), with a bias and a residual fused, and attention-like MatMuls of
    # two activations (Q K^T, P V) on the packed micro-kernel unpacked.
    rng = np.random.default_rng(12)
    w = lambda *s: rng.standard_normal(s).astype(np.float32) * 0.06
    model(os.path.join(d, "matmul_rows.onnx"),
          [helper.make_node("MatMul", ["x", "w1"], ["m1"]),
           helper.make_node("Add", ["m1", "b1"], ["h"]),
           helper.make_node("MatMul", ["h", "wq"], ["q"]),
           helper.make_node("MatMul", ["h", "wk"], ["k0"]),
           helper.make_node("Add", ["k0", "bk"], ["k"]),
           helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
           helper.make_node("MatMul", ["q", "kt"], ["s"]),
           helper.make_node("MatMul", ["s", "q"], ["o"]),
           helper.make_node("MatMul", ["o", "w2"], ["m2"]),
           helper.make_node("Add", ["m2", "x"], ["y"])],
          [vi("x", F, [1, 64, 256])], [vi("y", F, [1, 64, 256])],
          inits=[("w1", w(256, 256)), ("b1", w(256)), ("wq", w(256, 256)), ("wk", w(256, 256)),
                 ("bk", w(256)), ("w2", w(256, 256))], opset=13)

    # Padded 3x3 Convs on small images (ResNet's last stage): sw26010 takes
    # whole-image tiles of a few output channels each, and their input
    # panel, a halo box fetched compactly, is broadcast to the 64 CPEs
    # (its valid part, one run; each CPE spreads it over the box).
    rng = np.random.default_rng(16)
    w = lambda *s: rng.standard_normal(s).astype(np.float32) * 0.03
    model(os.path.join(d, "conv_halo_bcast.onnx"),
          [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], strides=[2, 2]),
           helper.make_node("Relu", ["c1"], ["r1"]),
           helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1]),
           helper.make_node("Relu", ["c2"], ["y"])],
          [vi("x", F, [1, 256, 14, 14])], [vi("y", F, [1, 512, 7, 7])],
          inits=[("w1", w(512, 256, 3, 3)), ("b1", w(512)), ("w2", w(512, 512, 3, 3)),
                 ("b2", w(512))], opset=13)


if __name__ == "__main__":
    main(sys.argv[1])
