#!/usr/bin/python3
"""Export the ONNX models that swtc's tests and benchmarks use.

    /usr/bin/python3 scripts/export_models.py --out DIR [--models a,b,...] [--seed N] [--force]

Every model is written to DIR/<name>.onnx with Debian's torch 1.13 /
torchvision (torch.onnx.export, opset 13, batch 1 unless noted, static shapes,
one input named `input`, one output named `output`).  All weights are drawn
from a seeded generator, so the same seed gives the same files.

A model whose file already exists and is newer than this script is skipped
(so builds stay fast) unless --force is given.

Models:
  resnet18      torchvision resnet18, random weights, trained-like BatchNorm
                statistics, constant folding on (BN folded into Conv)
  resnet18_bn   the same network (same weights), BatchNormalization nodes kept
  conv          Conv 3->8 3x3 pad 1 with bias                  [1,3,16,16]
  conv_relu_add relu(conv3x3(x)) + conv1x1(x), 4->8             [1,4,12,12]
  conv_strided  Conv 3->6 5x5 stride 2 pad 2, no bias           [1,3,17,19]
  gemm          Linear(64, 10)                                  [2,64]
  pool          MaxPool(3,2,1) -> BatchNorm -> GlobalAvgPool -> Flatten  [1,5,15,15]
  reshape       conv1x1 4->4 -> Reshape to [1,144] -> Linear(144,7)  [1,4,6,6]
                (the shape [1,-1] is an int64 initializer)
  flatten       as reshape, with torch.flatten (ONNX Flatten)
  unsupported   Conv 3->4 3x3 then Sin (an op swtc does not support) [1,3,8,8];
                the Sin node is named `unsupported_sin`

Intermediate shapes are recorded in graph.value_info (ONNX shape inference).
"""

import argparse
import collections
import os
import sys
import time
import warnings
import zlib

import numpy as np
import onnx
import torch
import torchvision

OPSET = 13
SCRIPT = os.path.abspath(__file__)


def seed_all(seed):
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))


def model_seed(base, name):
    # A per-model seed that does not depend on which other models are exported.
    return (base * 1000003 + zlib.crc32(name.encode())) % (2**31)


def randomize_batchnorm(module, gen):
    """Give every BatchNorm trained-like statistics and affine parameters.

    A fresh BatchNorm is the identity (mean 0, var 1, weight 1, bias 0), which
    hides bugs (a missing or misplaced BN is not noticed) and lets activations
    vanish in deep nets.
    """
    count = 0
    for m in module.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            n = m.num_features

            def u(lo, hi):
                return torch.empty(n).uniform_(lo, hi, generator=gen)

            with torch.no_grad():
                m.running_mean.copy_(u(-0.1, 0.1))
                m.running_var.copy_(u(0.75, 1.25))
                m.weight.copy_(u(0.75, 1.25))
                m.bias.copy_(u(-0.1, 0.1))
            count += 1
    return count


# ---------------------------------------------------------------- small graphs


class ConvReluAdd(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = torch.nn.Conv2d(4, 8, 3, padding=1)
        self.conv_b = torch.nn.Conv2d(4, 8, 1)

    def forward(self, x):
        return torch.relu(self.conv_a(x)) + self.conv_b(x)


class PoolBn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = torch.nn.MaxPool2d(3, stride=2, padding=1)
        self.bn = torch.nn.BatchNorm2d(5)
        self.gap = torch.nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        return torch.flatten(self.gap(self.bn(self.pool(x))), 1)


class ConvReshapeLinear(torch.nn.Module):
    def __init__(self, use_flatten):
        super().__init__()
        self.use_flatten = use_flatten
        self.conv = torch.nn.Conv2d(4, 4, 1)
        self.fc = torch.nn.Linear(144, 7)

    def forward(self, x):
        y = self.conv(x)
        y = torch.flatten(y, 1) if self.use_flatten else y.reshape(1, -1)
        return self.fc(y)


class ConvSin(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return torch.sin(self.conv(x))


def build_resnet18(gen):
    return torchvision.models.resnet18(weights=None)


# name -> (builder(gen) -> module, input shape, export kwargs)
FOLD = dict(do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
# TrainingMode.EVAL makes the exporter fuse BatchNorm into a preceding Conv
# (eval peephole pass) even without constant folding; PRESERVE with the module
# in eval() keeps BatchNormalization nodes (in inference form).
KEEP_BN = dict(do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)

MODELS = collections.OrderedDict([
    ("resnet18", (build_resnet18, [1, 3, 224, 224], FOLD)),
    ("resnet18_bn", (build_resnet18, [1, 3, 224, 224], KEEP_BN)),
    ("conv", (lambda g: torch.nn.Conv2d(3, 8, 3, stride=1, padding=1, bias=True),
              [1, 3, 16, 16], FOLD)),
    ("conv_relu_add", (lambda g: ConvReluAdd(), [1, 4, 12, 12], FOLD)),
    ("conv_strided", (lambda g: torch.nn.Conv2d(3, 6, 5, stride=2, padding=2, dilation=1,
                                                bias=False),
                      [1, 3, 17, 19], FOLD)),
    ("gemm", (lambda g: torch.nn.Linear(64, 10), [2, 64], FOLD)),
    ("pool", (lambda g: PoolBn(), [1, 5, 15, 15],
              dict(do_constant_folding=True, training=torch.onnx.TrainingMode.PRESERVE))),
    ("reshape", (lambda g: ConvReshapeLinear(False), [1, 4, 6, 6], FOLD)),
    ("flatten", (lambda g: ConvReshapeLinear(True), [1, 4, 6, 6], FOLD)),
    ("unsupported", (lambda g: ConvSin(), [1, 3, 8, 8], FOLD)),
])

SEED_KEY = {"resnet18_bn": "resnet18"}

# Op types each exported graph must have (exactly this set).
EXPECTED_OPS = {
    "resnet18": {"Conv", "Relu", "MaxPool", "Add", "GlobalAveragePool", "Flatten", "Gemm"},
    "resnet18_bn": {"Conv", "BatchNormalization", "Relu", "MaxPool", "Add",
                    "GlobalAveragePool", "Flatten", "Gemm"},
    "conv": {"Conv"},
    "conv_relu_add": {"Conv", "Relu", "Add"},
    "conv_strided": {"Conv"},
    "gemm": {"Gemm"},
    "pool": {"MaxPool", "BatchNormalization", "GlobalAveragePool", "Flatten"},
    "reshape": {"Conv", "Reshape", "Gemm"},
    "flatten": {"Conv", "Flatten", "Gemm"},
    "unsupported": {"Conv", "Sin"},
}


def op_histogram(model):
    return collections.Counter(n.op_type for n in model.graph.node)


def postprocess(name, model):
    """Deterministic touch-ups after export."""
    # torch 1.13 emits value_info for intermediate tensors or not depending on
    # what was exported earlier in the same process; recompute it with ONNX's
    # shape inference so the file does not depend on the export order.
    del model.graph.value_info[:]
    if name == "unsupported":
        for n in model.graph.node:
            if n.op_type == "Sin":
                n.name = "unsupported_sin"
    if name == "reshape":
        # The exporter leaves the target shape [1, -1] as a Constant node; make
        # it an initializer so the Reshape's shape is a plain constant tensor.
        keep = []
        for n in model.graph.node:
            if n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value":
                t = onnx.TensorProto()
                t.CopyFrom(n.attribute[0].t)
                t.name = n.output[0]
                model.graph.initializer.append(t)
            else:
                keep.append(n)
        del model.graph.node[:]
        model.graph.node.extend(keep)
        consts = {i.name for i in model.graph.initializer}
        for n in model.graph.node:
            if n.op_type == "Reshape" and n.input[1] not in consts:
                raise RuntimeError("reshape: Reshape shape input is not constant")
    return onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def build_module(name, seed=0):
    """The eval-mode torch module of model `name` and a sample input."""
    builder, shape, _ = MODELS[name]
    # resnet18_bn is the same network as resnet18 (same weights), only
    # exported without folding BatchNorm into Conv.
    s = model_seed(seed, SEED_KEY.get(name, name))
    seed_all(s)
    gen = torch.Generator().manual_seed(s)
    module = builder(gen)  # weights from the (seeded) global generator
    randomize_batchnorm(module, gen)  # no-op for modules without BatchNorm
    module.eval()
    x = torch.randn(*shape, generator=gen)
    return module, x


def export_one(name, out_dir, seed):
    _, _, kwargs = MODELS[name]
    module, x = build_module(name, seed)
    with torch.no_grad():
        y = module(x)
    path = os.path.join(out_dir, name + ".onnx")
    tmp = path + ".tmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (x,), tmp, opset_version=OPSET,
                          input_names=["input"], output_names=["output"],
                          export_params=True, **kwargs)
    model = onnx.load(tmp)
    model = postprocess(name, model)
    onnx.checker.check_model(model)
    hist = op_histogram(model)
    want = EXPECTED_OPS[name]
    if set(hist) != want:
        raise RuntimeError(f"{name}: unexpected op types {sorted(hist)}, expected {sorted(want)}")
    # Not vanishing: a deep random net whose output is ~0 hides bugs.
    std = float(y.float().std())
    if not std > 1e-3:
        raise RuntimeError(f"{name}: output std {std:g} <= 1e-3 (vanishing)")
    onnx.save(model, tmp)
    os.replace(tmp, path)
    return hist, std


def up_to_date(path):
    return (os.path.exists(path)
            and os.path.getmtime(path) > os.path.getmtime(SCRIPT))


def fmt_hist(hist):
    return " ".join(f"{k}:{v}" for k, v in sorted(hist.items()))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--models", default=",".join(MODELS),
                    help="comma-separated list (default: all): " + ",".join(MODELS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--force", action="store_true", help="re-export even if up to date")
    args = ap.parse_args(argv)

    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print(f"export_models: unknown model(s): {', '.join(unknown)}; "
              f"known: {', '.join(MODELS)}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    for name in names:
        path = os.path.join(args.out, name + ".onnx")
        if not args.force and up_to_date(path):
            hist = op_histogram(onnx.load(path))
            print(f"export_models: {name}: up to date ({fmt_hist(hist)})")
            continue
        t0 = time.time()
        try:
            hist, std = export_one(name, args.out, args.seed)
        except Exception as e:  # noqa: BLE001 - report and fail
            print(f"export_models: {name}: FAILED: {e}", file=sys.stderr)
            return 1
        print(f"export_models: {name}: exported in {time.time() - t0:.1f}s, "
              f"output std {std:.4g}; ops {fmt_hist(hist)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
