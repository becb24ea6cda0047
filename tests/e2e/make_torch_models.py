#!/usr/bin/python3
"""Exports the small torch models of the e2e tests of real-model patterns into
DIR (seeded random weights, torch.onnx.export at opset 13):

    make_torch_models.py DIR

  bert_qkv        one BERT-style post-LN encoder layer written the common way:
                  one QKV Linear, reshaped to [B, S, heads, 3 * head_dim] and
                  split in three (ONNX Split), attention, output projection,
                  exact GELU feed-forward                       [2, 8, 32]
  bert_qkv_dyn    the same layer (same weights) exported with a dynamic batch
                  and sequence axis (dim_params `batch`, `seq`): swtc needs
                  --shape input=B,S for it
"""
import os
import sys

import torch

HIDDEN, HEADS, FF = 32, 4, 64


class QkvEncoderLayer(torch.nn.Module):
    def __init__(self, hidden, heads, ff):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.scale = 1.0 / float(self.head_dim) ** 0.5
        self.qkv = torch.nn.Linear(hidden, 3 * hidden)
        self.proj = torch.nn.Linear(hidden, hidden)
        self.norm1 = torch.nn.LayerNorm(hidden, eps=1e-12)
        self.fc1 = torch.nn.Linear(hidden, ff)
        self.fc2 = torch.nn.Linear(ff, hidden)
        self.norm2 = torch.nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x):
        b, s, h = x.shape
        qkv = self.qkv(x).reshape(b, s, self.heads, 3 * self.head_dim)
        q, k, v = qkv.split(self.head_dim, dim=-1)  # each [B, S, heads, head_dim]
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v)  # [B, heads, S, head_dim]
        ctx = ctx.transpose(1, 2).reshape(b, s, h)
        x = self.norm1(x + self.proj(ctx))
        return self.norm2(x + self.fc2(torch.nn.functional.gelu(self.fc1(x))))


def main(d):
    os.makedirs(d, exist_ok=True)
    torch.manual_seed(15)
    m = QkvEncoderLayer(HIDDEN, HEADS, FF).eval()
    x = torch.randn(2, 8, HIDDEN)
    kw = dict(opset_version=13, input_names=["input"], output_names=["output"],
              do_constant_folding=True)
    with torch.no_grad():
        torch.onnx.export(m, (x,), os.path.join(d, "bert_qkv.onnx"), **kw)
        torch.onnx.export(m, (x,), os.path.join(d, "bert_qkv_dyn.onnx"),
                          dynamic_axes={"input": {0: "batch", 1: "seq"},
                                        "output": {0: "batch", 1: "seq"}}, **kw)


if __name__ == "__main__":
    main(sys.argv[1])
