#!/usr/bin/python3
"""Export the ONNX models that swtc's tests and benchmarks use.

    /usr/bin/python3 scripts/export_models.py --out DIR [--models a,b,...|--suite NAME[,NAME]]
                                              [--seed N] [--force] [--histogram-md FILE]
                                              [--verdicts FILE] [--histogram-only]

Every model is written to DIR/<name>.onnx with Debian's torch 1.13 /
torchvision (torch.onnx.export, opset 13, batch 1 unless noted, static shapes,
one input named `input`, one output named `output`).  All weights are drawn
from a seeded generator, so the same seed gives the same files.

A model whose file already exists and is newer than this script is skipped
(so builds stay fast) unless --force is given.

--suite default|all|extra selects named model lists (SUITES below; `default`
is what the test suite needs, `all` adds the big benchmark models, `extra` is
the opt-in models, never exported unless asked for).  With
--histogram-md FILE a Markdown table of the selected models (name, input shape,
source, FLOPs, op histogram) is written to FILE (docs/models.md is generated so);
--verdicts FILE adds the opt-in models' results from
`scripts/suite_report.py --extra --json FILE`; --histogram-only writes the table
from the files already in --out without exporting anything.

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
  unsupported   Conv 3->4 3x3 then Det (an op swtc does not support) [1,3,8,8];
                the Det node is named `unsupported_det`

Benchmark suite (torchvision, weights=None, seeded random weights, trained-like
BatchNorm statistics, constant folding on, so BatchNorm is folded into Conv):
  resnet50 vgg16 vgg19 alexnet mobilenet_v2 squeezenet1_1      [1,3,224,224]
  <cnn>_b8      the same network and weights, batch 8 (resnet18 and the six
                above)                                           [8,3,224,224]
  bert          BERT-base encoder from plain torch.nn modules: 12 post-LN layers,
                hidden 768, 12 heads of 64, feed-forward 3072, exact (erf) GELU,
                LayerNorm eps 1e-12, no mask; input = the embeddings [1,128,768]
  bert_tiny     the same code, 2 layers, hidden 64, 4 heads, ff 128  [1,16,64]

Opt-in models (--suite extra; torchvision, weights=None, seeded random
weights; parameters torchvision zero-initializes are redrawn uniform in
[-0.1, 0.1); BatchNorm running statistics measured on one seeded random batch):
  vit_b_16      ViT-B/16                                         [1,3,224,224]
  swin_t        Swin-T                                           [1,3,224,224]
  inception_v3  Inception-V3 (eval: no aux output)               [1,3,299,299]
  fcn_resnet50  FCN-ResNet50, no aux head, the 'out' map         [1,3,224,224]
  deeplabv3_mobilenet_v3_large  DeepLabV3-MobileNetV3-Large, no aux head, 'out'
                                                                 [1,3,224,224]

Op-level test models:
  depthwise     Conv 8->8 3x3 pad 1 groups 8 + ReLU6 (Clip)     [1,8,10,10]
  concat        Concat(conv3x3 3->4, conv1x1 3->5) on channels  [1,3,8,8]
  avgpool       AvgPool2d(3, 2, 1, ceil_mode, count_include_pad=False) [1,4,11,11]
  softmax       Linear(32,10) -> softmax(dim=-1)                 [2,32]
  matmul        x @ W (W [8,6]) + x @ Y^T (Y [2,3,6,8])          [2,3,5,8]
  layernorm     LayerNorm(16)                                    [2,5,16]
  gelu          Linear(16,16) -> GELU (erf)                      [2,16]
  transpose     Conv 3->4 3x3 pad 1 -> permute(0,2,3,1) -> flatten [1,3,6,6]
  shape_reshape x.view(x.size(0), -1) -> Linear(48,5), exported with a dynamic
                batch so the Shape/Gather/Unsqueeze/Concat/Reshape subgraph
                stays, then the input/output shapes are pinned   [2,3,4,4]

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


def randomize_norms(module, gen):
    """Give every BatchNorm and LayerNorm trained-like statistics and affine
    parameters.

    A fresh BatchNorm is the identity (mean 0, var 1, weight 1, bias 0), which
    hides bugs (a missing or misplaced BN is not noticed) and lets activations
    vanish in deep nets; the same holds for LayerNorm's affine parameters.
    BatchNorm: running mean in [-0.1, 0.1], running var and weight in
    [0.75, 1.25], bias in [-0.1, 0.1].  LayerNorm: weight in [0.75, 1.25],
    bias in [-0.1, 0.1].  Modules are visited in module.modules() order and
    draw from `gen` only when they are norms, so a network without LayerNorm
    gets the same numbers as before LayerNorm was handled here.
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
        elif isinstance(m, torch.nn.LayerNorm) and m.elementwise_affine:
            shape = m.normalized_shape

            def u(lo, hi):
                return torch.empty(shape).uniform_(lo, hi, generator=gen)

            with torch.no_grad():
                m.weight.copy_(u(0.75, 1.25))
                m.bias.copy_(u(-0.1, 0.1))
            count += 1
    return count


randomize_batchnorm = randomize_norms  # the old name


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


class ConvDet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return torch.det(self.conv(x))


class DepthwiseRelu6(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.act = torch.nn.ReLU6()

    def forward(self, x):
        return self.act(self.conv(x))


class ConvConcat(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_a = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.conv_b = torch.nn.Conv2d(3, 5, 1)

    def forward(self, x):
        return torch.cat([self.conv_a(x), self.conv_b(x)], dim=1)


class LinearSoftmax(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(32, 10)

    def forward(self, x):
        return torch.softmax(self.fc(x), dim=-1)


class MatMuls(torch.nn.Module):
    """x @ W with a 2-D constant W [8, 6] plus x @ Y^T with a batched constant
    Y [2, 3, 6, 8] (the exporter folds the transpose of Y into the
    initializer), for x [2, 3, 5, 8]."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(8, 6) * 0.35)
        self.y = torch.nn.Parameter(torch.randn(2, 3, 6, 8) * 0.35)

    def forward(self, x):
        return torch.matmul(x, self.w) + torch.matmul(x, self.y.transpose(-1, -2))


class LinearGelu(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(16, 16)

    def forward(self, x):
        return torch.nn.functional.gelu(self.fc(x))


class ConvTransposeFlatten(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return torch.flatten(self.conv(x).permute(0, 2, 3, 1), 1)


class ShapeReshapeLinear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(48, 5)

    def forward(self, x):
        return self.fc(x.view(x.size(0), -1))


# ------------------------------------------------------------------------ BERT


class BertSelfAttention(torch.nn.Module):
    """Multi-head self-attention written out: Linear Q/K/V, reshape to heads,
    transpose, Q K^T * 1/sqrt(head_dim), softmax, @ V, merge heads.  Reshape
    targets are Python constants (seq, heads, head_dim; batch -1) so the graph
    has no Shape subgraph."""

    def __init__(self, seq, hidden, heads, dropout):
        super().__init__()
        assert hidden % heads == 0
        self.seq, self.hidden, self.heads, self.head_dim = seq, hidden, heads, hidden // heads
        self.scale = 1.0 / float(self.head_dim) ** 0.5
        self.query = torch.nn.Linear(hidden, hidden)
        self.key = torch.nn.Linear(hidden, hidden)
        self.value = torch.nn.Linear(hidden, hidden)
        self.dropout = torch.nn.Dropout(dropout)

    def split(self, t):  # [B, S, H] -> [B, heads, S, head_dim]
        return t.reshape(-1, self.seq, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x):
        q = self.split(self.query(x))
        k = self.key(x).reshape(-1, self.seq, self.heads, self.head_dim).permute(0, 2, 3, 1)
        v = self.split(self.value(x))
        scores = torch.matmul(q, k) * self.scale  # [B, heads, S, S]
        probs = self.dropout(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3)  # [B, S, heads, head_dim]
        return ctx.reshape(-1, self.seq, self.hidden)


class BertLayer(torch.nn.Module):
    """One post-LN BERT encoder layer."""

    def __init__(self, seq, hidden, heads, ff, eps, dropout):
        super().__init__()
        self.attention = BertSelfAttention(seq, hidden, heads, dropout)
        self.attn_out = torch.nn.Linear(hidden, hidden)
        self.attn_dropout = torch.nn.Dropout(dropout)
        self.attn_norm = torch.nn.LayerNorm(hidden, eps=eps)
        self.intermediate = torch.nn.Linear(hidden, ff)
        self.output = torch.nn.Linear(ff, hidden)
        self.out_dropout = torch.nn.Dropout(dropout)
        self.out_norm = torch.nn.LayerNorm(hidden, eps=eps)

    def forward(self, x):
        a = self.attn_dropout(self.attn_out(self.attention(x)))
        x = self.attn_norm(x + a)
        h = torch.nn.functional.gelu(self.intermediate(x))  # exact (erf) GELU
        h = self.out_dropout(self.output(h))
        return self.out_norm(x + h)


class BertEncoder(torch.nn.Module):
    """BERT encoder stack (no embeddings, no pooler): input = embeddings."""

    def __init__(self, layers, seq, hidden, heads, ff, eps=1e-12, dropout=0.1):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            [BertLayer(seq, hidden, heads, ff, eps, dropout) for _ in range(layers)])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


BERT_BASE = dict(layers=12, seq=128, hidden=768, heads=12, ff=3072)
BERT_TINY = dict(layers=2, seq=16, hidden=64, heads=4, ff=128)


def build_resnet18(gen):
    return torchvision.models.resnet18(weights=None)


def torchvision_builder(arch):
    def build(gen):
        return getattr(torchvision.models, arch)(weights=None)
    build.__name__ = "build_" + arch
    return build


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
    ("unsupported", (lambda g: ConvDet(), [1, 3, 8, 8], FOLD)),
    # op-level test models
    ("depthwise", (lambda g: DepthwiseRelu6(), [1, 8, 10, 10], FOLD)),
    ("concat", (lambda g: ConvConcat(), [1, 3, 8, 8], FOLD)),
    ("avgpool", (lambda g: torch.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True,
                                              count_include_pad=False),
                 [1, 4, 11, 11], FOLD)),
    ("softmax", (lambda g: LinearSoftmax(), [2, 32], FOLD)),
    ("matmul", (lambda g: MatMuls(), [2, 3, 5, 8], FOLD)),
    ("layernorm", (lambda g: torch.nn.LayerNorm(16), [2, 5, 16], FOLD)),
    ("gelu", (lambda g: LinearGelu(), [2, 16], FOLD)),
    ("transpose", (lambda g: ConvTransposeFlatten(), [1, 3, 6, 6], FOLD)),
    # With static shapes the exporter replaces x.size(0) by a constant; exported
    # with a dynamic batch axis it keeps the Shape -> Gather -> Unsqueeze ->
    # Concat -> Reshape subgraph, and export_one then pins the input and output
    # shapes to static ones again (pin_shapes).
    ("shape_reshape", (lambda g: ShapeReshapeLinear(), [2, 3, 4, 4],
                       dict(FOLD, dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}))),
    # BERT encoders (input = embeddings)
    ("bert_tiny", (lambda g: BertEncoder(**BERT_TINY), [1, BERT_TINY["seq"], BERT_TINY["hidden"]],
                   FOLD)),
    ("bert", (lambda g: BertEncoder(**BERT_BASE), [1, BERT_BASE["seq"], BERT_BASE["hidden"]],
              FOLD)),
])

# torchvision CNNs of the benchmark suite, batch 1 and batch 8 (`<name>_b8`,
# same weights as `<name>`).
CNNS = ["resnet18", "resnet50", "vgg16", "vgg19", "alexnet", "mobilenet_v2", "squeezenet1_1"]
for _arch in CNNS[1:]:
    MODELS[_arch] = (torchvision_builder(_arch), [1, 3, 224, 224], FOLD)
for _arch in CNNS:
    MODELS[_arch + "_b8"] = (MODELS[_arch][0], [8, 3, 224, 224], FOLD)

# Opt-in models (issue 15, item 5): bigger torchvision networks with other
# op mixes (attention, windowed attention, inception blocks, segmentation
# heads with bilinear upsampling).  Not in any suite's default run of the
# test suite; `--suite extra` (or --models) exports them, scripts/suite_report.py
# runs them (`--models` of EXTRA_MODELS).
class SegmentationOut(torch.nn.Module):
    """torchvision's segmentation models return a dict; export its 'out'."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)["out"]


def segmentation_builder(arch):
    def build(gen):
        net = getattr(torchvision.models.segmentation, arch)(
            weights=None, weights_backbone=None, aux_loss=False)
        return SegmentationOut(net)
    build.__name__ = "build_" + arch
    return build


def build_inception_v3(gen):
    # weights=None: transform_input False; aux_logits True but the aux head
    # only runs in training mode, so the eval graph has one output.
    return torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=True)


def randomize_zero_params(module, gen):
    """Draw every parameter that is all zeros (torchvision zero-initializes
    ViT's classifier head and class token, and many biases) uniform in
    [-0.1, 0.1): a zero head gives a constant output, and zero biases hide a
    missing or misplaced bias add."""
    with torch.no_grad():
        for _, p in sorted(module.named_parameters()):
            if not bool(p.any()):
                p.copy_(torch.empty(p.shape).uniform_(-0.1, 0.1, generator=gen))


def calibrate_batchnorm(module, shape, gen):
    """Set every BatchNorm's running mean and variance to the statistics of
    one seeded random batch (uniform [-1, 1), 2 samples of `shape[1:]`),
    keeping the affine parameters randomize_norms drew.  With random weights
    and statistics that do not match the activations, Inception-V3's output
    grows to ~1e12 and deeper models vanish; measured statistics keep every
    layer's output near unit scale."""
    bns = [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    x = torch.empty(2, *shape[1:]).uniform_(-1.0, 1.0, generator=gen)
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average: one batch gives its statistics
    module.train()
    with torch.no_grad():
        module(x)
    module.eval()


def extra_builder(make):
    def build(gen):
        net = make()
        randomize_zero_params(net, gen)
        return net
    return build


EXTRA_MODELS = ["vit_b_16", "swin_t", "inception_v3", "fcn_resnet50",
                "deeplabv3_mobilenet_v3_large"]
MODELS["vit_b_16"] = (extra_builder(lambda: torchvision.models.vit_b_16(weights=None)),
                      [1, 3, 224, 224], FOLD)
MODELS["swin_t"] = (extra_builder(lambda: torchvision.models.swin_t(weights=None)),
                    [1, 3, 224, 224], FOLD)
MODELS["inception_v3"] = (extra_builder(lambda: build_inception_v3(None)), [1, 3, 299, 299], FOLD)
MODELS["fcn_resnet50"] = (extra_builder(lambda: segmentation_builder("fcn_resnet50")(None)),
                          [1, 3, 224, 224], FOLD)
MODELS["deeplabv3_mobilenet_v3_large"] = (
    extra_builder(lambda: segmentation_builder("deeplabv3_mobilenet_v3_large")(None)),
    [1, 3, 224, 224], FOLD)

SEED_KEY = {"resnet18_bn": "resnet18"}
SEED_KEY.update({a + "_b8": a for a in CNNS})

SMALL_OP_MODELS = ["conv", "conv_relu_add", "conv_strided", "gemm", "pool", "reshape",
                   "flatten", "unsupported", "depthwise", "concat", "avgpool", "softmax",
                   "matmul", "layernorm", "gelu", "transpose", "shape_reshape"]
# Named model lists (--suite): `default` is what the default test suite needs
# (CMake target swtc_models), `all` is the whole benchmark suite
# (swtc_models_suite).
SUITES = collections.OrderedDict([
    ("default", ["resnet18", "resnet18_bn"] + SMALL_OP_MODELS
     + ["bert_tiny", "mobilenet_v2", "squeezenet1_1"]),
    ("all", [m for m in MODELS if m not in EXTRA_MODELS]),
    ("extra", list(EXTRA_MODELS)),
])

# Where each model comes from (docs/models.md).
SOURCE = {name: "torchvision `%s`" % name for name in CNNS}
SOURCE.update({a + "_b8": "torchvision `%s`, batch 8" % a for a in CNNS})
SOURCE.update({
    "resnet18_bn": "torchvision `resnet18`, BatchNormalization kept",
    "bert": "`BertEncoder` (plain torch.nn), BERT-base: 12 layers, hidden 768, 12 heads, ff 3072",
    "bert_tiny": "`BertEncoder`, 2 layers, hidden 64, 4 heads, ff 128",
    "conv": "Conv 3->8 3x3 pad 1",
    "conv_relu_add": "relu(conv3x3(x)) + conv1x1(x)",
    "conv_strided": "Conv 3->6 5x5 stride 2 pad 2, no bias",
    "gemm": "Linear(64, 10)",
    "pool": "MaxPool(3,2,1), BatchNorm, global avg pool, flatten",
    "reshape": "conv1x1, Reshape [1,-1] (initializer), Linear",
    "flatten": "conv1x1, Flatten, Linear",
    "unsupported": "Conv then Det (unsupported op)",
    "depthwise": "Conv 8->8 3x3 groups 8 + ReLU6",
    "concat": "Concat(conv3x3, conv1x1) on channels",
    "avgpool": "AvgPool2d(3, 2, 1, ceil_mode, count_include_pad=False)",
    "softmax": "Linear(32, 10), softmax(dim=-1)",
    "matmul": "x @ W[8,6] + x @ Y[2,3,6,8]^T",
    "layernorm": "LayerNorm(16)",
    "gelu": "Linear(16, 16), exact GELU",
    "transpose": "conv3x3, permute(0,2,3,1), flatten",
    "shape_reshape": "x.view(x.size(0), -1), Linear(48, 5)",
    "vit_b_16": "torchvision `vit_b_16` (zero-initialized parameters redrawn)",
    "swin_t": "torchvision `swin_t` (zero-initialized parameters redrawn)",
    "inception_v3": "torchvision `inception_v3`, 299x299, BatchNorm statistics of a random batch",
    "fcn_resnet50": "torchvision `fcn_resnet50` (no aux head), output `out`, BatchNorm statistics "
                    "of a random batch",
    "deeplabv3_mobilenet_v3_large": "torchvision `deeplabv3_mobilenet_v3_large` (no aux head), "
                                    "output `out`, BatchNorm statistics of a random batch",
})

LAYERNORM_OPS = {"ReduceMean", "Sub", "Pow", "Add", "Sqrt", "Div", "Mul"}
GELU_OPS = {"Div", "Erf", "Add", "Mul"}
BERT_OPS = ({"MatMul", "Add", "Reshape", "Transpose", "Mul", "Softmax"}
            | LAYERNORM_OPS | GELU_OPS)

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
    "unsupported": {"Conv", "Det"},
    "depthwise": {"Conv", "Clip"},
    "concat": {"Conv", "Concat"},
    "avgpool": {"AveragePool"},
    "softmax": {"Gemm", "Softmax"},
    "matmul": {"MatMul", "Add"},
    # LayerNormalization is an opset-17 op: at opset 13 torch decomposes it.
    "layernorm": LAYERNORM_OPS,
    # Exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))).
    "gelu": {"Gemm"} | GELU_OPS,
    "transpose": {"Conv", "Transpose", "Flatten"},
    "shape_reshape": {"Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "Gemm"},
    # Linear on a 3-D input is MatMul + Add; Dropout (eval) is not exported.
    "bert": BERT_OPS,
    "bert_tiny": BERT_OPS,
    "resnet50": {"Conv", "Relu", "MaxPool", "Add", "GlobalAveragePool", "Flatten", "Gemm"},
    # AdaptiveAvgPool2d(7) / (6) on a 7x7 / 6x6 map becomes a 1x1 AveragePool.
    "vgg16": {"Conv", "Relu", "MaxPool", "AveragePool", "Flatten", "Gemm"},
    "vgg19": {"Conv", "Relu", "MaxPool", "AveragePool", "Flatten", "Gemm"},
    "alexnet": {"Conv", "Relu", "MaxPool", "AveragePool", "Flatten", "Gemm"},
    "mobilenet_v2": {"Conv", "Clip", "Add", "GlobalAveragePool", "Flatten", "Gemm"},
    "squeezenet1_1": {"Conv", "Relu", "MaxPool", "Concat", "GlobalAveragePool", "Flatten"},
}
EXPECTED_OPS.update({a + "_b8": EXPECTED_OPS[a] for a in CNNS})
# The opt-in models (torch 1.13's exports; Shape subgraphs kept where the
# torchvision code computes sizes: swtc folds them).
EXPECTED_OPS.update({
    "vit_b_16": {"Add", "Concat", "ConstantOfShape", "Conv", "Div", "Equal", "Erf", "Expand",
                 "Gather", "Gemm", "MatMul", "Mul", "Pow", "ReduceMean", "Reshape", "Shape",
                 "Slice", "Softmax", "Sqrt", "Sub", "Transpose", "Where"},
    "swin_t": {"Add", "Cast", "Concat", "ConstantOfShape", "Conv", "Div", "Dropout", "Equal",
               "Erf", "Expand", "Flatten", "Gather", "Gemm", "GlobalAveragePool", "MatMul", "Mod",
               "Mul", "Not", "Pad", "Pow", "Range", "ReduceMean", "Reshape", "ScatterND", "Shape",
               "Slice", "Softmax", "Sqrt", "Sub", "Transpose", "Unsqueeze", "Where"},
    # AvgPool2d(3, 1, 1) (count_include_pad) is exported as Pad + AveragePool.
    "inception_v3": {"AveragePool", "Concat", "Conv", "Flatten", "Gemm", "GlobalAveragePool",
                     "MaxPool", "Pad", "Relu"},
    "fcn_resnet50": {"Add", "Concat", "Conv", "MaxPool", "Relu", "Resize", "Shape", "Slice"},
    "deeplabv3_mobilenet_v3_large": {"Add", "Concat", "Conv", "GlobalAveragePool", "HardSigmoid",
                                     "Mul", "Relu", "Resize", "Shape", "Slice"},
})


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
            if n.op_type == "Det":
                n.name = "unsupported_det"
    # The exporter leaves some constants (Reshape target shapes, Clip bounds,
    # GELU's sqrt(2), LayerNorm's eps, ...) as Constant nodes; make them
    # initializers so every constant is a plain initializer tensor (the
    # reshape model's [1, -1] shape, for instance).
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
    # The exporter deduplicates equal parameters (squeezenet's zero-initialized
    # biases): the duplicates become Identity nodes of one initializer.  Make
    # each duplicate an initializer of its own again.
    inits = {t.name: t for t in model.graph.initializer}
    keep = []
    for n in model.graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            model.graph.initializer.append(t)
            inits[t.name] = t
        else:
            keep.append(n)
    del model.graph.node[:]
    model.graph.node.extend(keep)
    if name == "reshape":
        consts = {i.name for i in model.graph.initializer}
        for n in model.graph.node:
            if n.op_type == "Reshape" and n.input[1] not in consts:
                raise RuntimeError("reshape: Reshape shape input is not constant")
    # (shape_reshape: ONNX 1.12's shape inference does not know the Reshape's
    # output shape, which depends on the Shape subgraph; its value_info is left
    # without a shape.)
    return onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def pin_shapes(model, shapes):
    """Make the named graph inputs/outputs' shapes static (dim_param -> dim_value)."""
    for v in list(model.graph.input) + list(model.graph.output):
        if v.name in shapes:
            dims = v.type.tensor_type.shape.dim
            assert len(dims) == len(shapes[v.name]), v.name
            for d, n in zip(dims, shapes[v.name]):
                d.Clear()
                d.dim_value = int(n)


def build_module(name, seed=0):
    """The eval-mode torch module of model `name` and a sample input."""
    builder, shape, _ = MODELS[name]
    # resnet18_bn is the same network as resnet18 (same weights), only
    # exported without folding BatchNorm into Conv.
    s = model_seed(seed, SEED_KEY.get(name, name))
    seed_all(s)
    gen = torch.Generator().manual_seed(s)
    module = builder(gen)  # weights from the (seeded) global generator
    randomize_norms(module, gen)  # no-op for modules without BatchNorm/LayerNorm
    if name in EXTRA_MODELS:
        calibrate_batchnorm(module, shape, gen)
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
    out_dims = model.graph.output[0].type.tensor_type.shape.dim
    if "dynamic_axes" in kwargs or not all(d.HasField("dim_value") for d in out_dims):
        # (Swin-T: the exporter leaves the output's batch dimension unknown)
        pin_shapes(model, {"input": list(x.shape), "output": list(y.shape)})
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


def count_flops(model):
    """Multiply-accumulates x 2 of the Conv, Gemm and MatMul nodes (other ops
    are not counted), from the shapes ONNX shape inference recorded."""
    g = model.graph
    shapes = {}
    for v in list(g.input) + list(g.value_info) + list(g.output):
        dims = v.type.tensor_type.shape.dim
        if v.type.tensor_type.HasField("shape") and all(d.HasField("dim_value") for d in dims):
            shapes[v.name] = [d.dim_value for d in dims]
    for t in g.initializer:
        shapes[t.name] = list(t.dims)
    total = 0
    for n in g.node:
        out = shapes.get(n.output[0])
        if out is None:
            continue
        if n.op_type == "Conv":
            w = shapes[n.input[1]]  # [Cout, Cin/groups, kh, kw]
            total += 2 * int(np.prod(out)) * int(np.prod(w[1:]))
        elif n.op_type == "Gemm":
            b = shapes[n.input[1]]  # the weight (A's shape may be unknown: shape_reshape)
            trans_b = any(at.name == "transB" and at.i for at in n.attribute)
            total += 2 * int(np.prod(out)) * (b[1] if trans_b else b[0])
        elif n.op_type == "MatMul":
            total += 2 * int(np.prod(out)) * shapes[n.input[0]][-1]
    return total


def fmt_flops(f):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if f >= scale:
            return f"{f / scale:.3g} {unit}"
    return str(f)


def load_verdicts(path):
    """{(model, target): verdict text} from scripts/suite_report.py --json."""
    import json
    with open(path) as f:
        data = json.load(f)
    out = {}
    for r in data["rows"]:
        if r.get("error"):
            v = "stops at: `%s`" % r["error"].replace("|", "/").replace("`", "'")
        else:
            ort = ("ONNX Runtime without graph optimizations"
                   if r.get("ort_optimization") == "disabled" else "ONNX Runtime")
            v = "%s (rel L2 %.1e vs %s, %.1e vs interpreter)" % (
                "agrees" if r["ok"] else "MISMATCH", r["rel_l2_ort"], ort, r["rel_l2_interp"])
        out[(r["model"], r["target"])] = v
    return out, data.get("commit", "?"), data.get("command", "")


def write_histogram_md(path, rows, verdicts_path=None):
    """rows: (name, model).  A Markdown table of the models; the opt-in
    models (EXTRA_MODELS) in a table of their own, with their verdicts from
    scripts/suite_report.py's JSON if given."""
    lines = [
        "# Models",
        "",
        "<!-- Generated by `/usr/bin/python3 scripts/export_models.py --out DIR --suite all,extra "
        "--histogram-md docs/models.md --verdicts BUILD/suite-extra.json`; do not edit by hand. -->",
        "",
        "The ONNX models `scripts/export_models.py` exports (opset 13, seeded random weights,",
        "trained-like BatchNorm/LayerNorm parameters, one input `input`, one output `output`).",
        "CMake target `swtc_models` (built by default) exports the `default` suite,",
        "`swtc_models_suite` exports all of them, both into `${CMAKE_BINARY_DIR}/models`.",
        "FLOPs = 2 x multiply-accumulates of Conv, Gemm and MatMul (other ops not counted).",
        "",
        "Notes on the exported graphs (torch 1.13, opset 13):",
        "",
        "- Constant nodes are turned into initializers, and Identity nodes of an",
        "  initializer (the exporter's deduplication of equal parameters, e.g.",
        "  squeezenet's zero biases) into initializers of their own.",
        "- BatchNorm is folded into Conv in every model except `resnet18_bn` and `pool`.",
        "- Dropout (eval mode) is not exported.",
        "- LayerNorm is decomposed (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div,",
        "  Mul, Add): LayerNormalization is an opset-17 op.  Exact GELU is",
        "  Div, Erf, Add, Mul, Mul.  Linear on a 3-D input is MatMul + Add.",
        "- `shape_reshape` keeps the Shape -> Gather -> Unsqueeze -> Concat -> Reshape",
        "  subgraph (exported with a dynamic batch axis, then the input/output shapes",
        "  are pinned); ONNX shape inference leaves the Reshape output's shape unknown.",
        "- ReLU6 is Clip with min/max inputs; AdaptiveAvgPool2d to 7x7 (vgg) / 6x6",
        "  (alexnet) on a map of that size is a 1x1 AveragePool.",
        "",
        "| model | default | input | output | source | FLOPs | nodes | op histogram |",
        "|---|---|---|---|---|---|---|---|",
    ]
    default = set(SUITES["default"])
    def hist_text(model):
        hist = op_histogram(model)
        return sum(hist.values()), " ".join(
            f"{k}:{v}" for k, v in sorted(hist.items(), key=lambda kv: (-kv[1], kv[0])))

    def out_shape(model):  # "?" for a dimension the exported graph leaves unknown (Swin-T's batch)
        return ",".join(str(d.dim_value) if d.HasField("dim_value") else "?"
                        for d in model.graph.output[0].type.tensor_type.shape.dim)

    for name, model in rows:
        if name in EXTRA_MODELS:
            continue
        nodes, hist = hist_text(model)
        lines.append("| `%s` | %s | [%s] | [%s] | %s | %s | %d | %s |" % (
            name, "yes" if name in default else "", ",".join(map(str, MODELS[name][1])),
            out_shape(model), SOURCE[name], fmt_flops(count_flops(model)), nodes, hist))
    extra = [(n, m) for n, m in rows if n in EXTRA_MODELS]
    if extra:
        verdicts, commit, command = ({}, None, None)
        if verdicts_path:
            verdicts, commit, command = load_verdicts(verdicts_path)
        lines += [
            "",
            "## Opt-in models",
            "",
            "Bigger torchvision networks with other op mixes, exported only on request",
            "(`--suite extra`, CMake target `swtc_models_extra`; not in the test suite) and",
            "run on both targets against ONNX Runtime by `scripts/suite_report.py --extra`",
            "(CMake target `suite_report_extra`, which writes docs/suite-extra.md).",
            "Random weights as above; parameters torchvision initializes to zeros (ViT's",
            "classifier head and class token, many biases) are redrawn uniform in",
            "[-0.1, 0.1), and BatchNorm running statistics are those of one seeded random",
            "batch (with the drawn statistics Inception-V3's output grows to ~1e12).",
            "Swin-T's export computes its window padding, shifts and attention masks",
            "with Shape, Range, Mod, ScatterND, Where, ... subgraphs: swtc folds them at",
            "compile time (they depend only on the static shapes); its attention",
            "Dropout is exported in training mode with ratio 0 (the identity).",
            "FLOPs count only the Conv / Gemm / MatMul nodes whose shapes ONNX shape",
            "inference knows (Swin-T's reshaped windows are not all known: a lower bound).",
            "",
            "- Inception-V3 is compared with ONNX Runtime run without graph optimizations:",
            "  onnxruntime-node 1.20.1 with its default optimizations gives logits 0.29",
            "  (relative L2) away from swtc, and already 0.12 away from PyTorch at",
            "  `Mixed_5c`'s output (a sub-model cut there), where swtc is 4.5e-6 from",
            "  PyTorch and unoptimized ORT 3.8e-6 from swtc.",
            "- FCN-ResNet50 and DeepLabV3 upsample with Resize (bilinear), which swtc",
            "  computes as one MatMul per resized axis with a constant interpolation",
            "  matrix (src/graph/resize.h).",
            "- The `sw26010` runs are the athread emulator on the 2-core host.",
            "",
        ]
        if verdicts_path:
            lines += ["Verdicts: `scripts/suite_report.py --extra` at commit %s (`%s`); each "
                      "target compared with ONNX Runtime on one seeded random input, tolerance "
                      "relative L2 1e-4." % (commit, command), ""]
        targets = sorted({t for (_, t) in verdicts}, key=lambda t: (t != "host", t))
        lines += ["| model | input | output | source | FLOPs | nodes | op histogram |"
                  + "".join(" %s |" % t for t in targets),
                  "|---|---|---|---|---|---|---|" + "---|" * len(targets)]
        for name, model in extra:
            nodes, hist = hist_text(model)
            lines.append("| `%s` | [%s] | [%s] | %s | %s | %d | %s |%s" % (
                name, ",".join(map(str, MODELS[name][1])), out_shape(model), SOURCE[name],
                fmt_flops(count_flops(model)), nodes, hist,
                "".join(" %s |" % verdicts.get((name, t), "not run") for t in targets)))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--models", default=None,
                    help="comma-separated list (default: all): " + ",".join(MODELS))
    ap.add_argument("--suite", default=None,
                    help="named model lists, comma-separated: " + "; ".join(
                        f"{k}: {','.join(v)}" for k, v in SUITES.items()))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--force", action="store_true", help="re-export even if up to date")
    ap.add_argument("--histogram-md", metavar="FILE", default=None,
                    help="write a Markdown table of the selected models to FILE")
    ap.add_argument("--histogram-only", action="store_true",
                    help="with --histogram-md: read the .onnx files already in --out (all "
                         "must exist), export nothing")
    ap.add_argument("--verdicts", metavar="FILE", default=None,
                    help="with --histogram-md: the opt-in models' verdicts from "
                         "scripts/suite_report.py --extra --json FILE")
    args = ap.parse_args(argv)

    if args.models is not None and args.suite is not None:
        print("export_models: give --models or --suite, not both", file=sys.stderr)
        return 2
    if args.suite is not None:
        bad = [s for s in args.suite.split(",") if s not in SUITES]
        if bad:
            print(f"export_models: unknown suite(s): {', '.join(bad)}; known: {', '.join(SUITES)}",
                  file=sys.stderr)
            return 2
        names = list(dict.fromkeys(n for s in args.suite.split(",") for n in SUITES[s]))
    else:
        names = [n.strip() for n in (args.models or ",".join(MODELS)).split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print(f"export_models: unknown model(s): {', '.join(unknown)}; "
              f"known: {', '.join(MODELS)}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    rows = []
    t_all = time.time()
    exported = 0
    for name in names:
        path = os.path.join(args.out, name + ".onnx")
        if args.histogram_only:
            if not os.path.isfile(path):
                print(f"export_models: {path} is missing (--histogram-only)", file=sys.stderr)
                return 1
            rows.append((name, onnx.load(path, load_external_data=False)))
            continue
        if not args.force and up_to_date(path):
            model = onnx.load(path, load_external_data=False)
            hist = op_histogram(model)
            print(f"export_models: {name}: up to date ({fmt_hist(hist)})")
        else:
            t0 = time.time()
            try:
                hist, std = export_one(name, args.out, args.seed)
            except Exception as e:  # noqa: BLE001 - report and fail
                print(f"export_models: {name}: FAILED: {e}", file=sys.stderr)
                return 1
            exported += 1
            print(f"export_models: {name}: exported in {time.time() - t0:.1f}s, "
                  f"output std {std:.4g}; ops {fmt_hist(hist)}")
            model = onnx.load(path, load_external_data=False) if args.histogram_md else None
        if args.histogram_md:
            rows.append((name, model))
    if exported > 1:
        print(f"export_models: {exported} model(s) exported in {time.time() - t_all:.1f}s")
    if args.histogram_md:
        write_histogram_md(args.histogram_md, rows, args.verdicts)
        print(f"export_models: wrote {args.histogram_md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
