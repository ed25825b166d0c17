#!/usr/bin/env python3
"""Builds the tiny PyTorch transformers the tests use and records PyTorch's
own outputs.

Run with Debian's python3-torch (1.13) and python3-onnx:
    /usr/bin/python3 test/E2E/transformers/make_transformers.py test/E2E/transformers

Writes, per model, <name>.onnx (exported with dynamic `batch` and `seq`
axes, opset 17) and, per (batch, seq) binding, <name>.b<B>s<S>.input_ids.npy
and <name>.b<B>s<S>.logits.npy. Weights are seeded; the files are checked
in so that tests do not need torch.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

VOCAB, DIM, HEADS, LAYERS, MAX_POS = 96, 32, 4, 2, 64
BINDINGS = [(1, 8), (2, 16), (3, 5)]


class Gpt2Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(DIM)
        self.qkv = nn.Linear(DIM, 3 * DIM)
        self.proj = nn.Linear(DIM, DIM)
        self.ln2 = nn.LayerNorm(DIM)
        self.fc = nn.Linear(DIM, 4 * DIM)
        self.act = nn.GELU(approximate="tanh")
        self.out = nn.Linear(4 * DIM, DIM)

    def forward(self, x, mask):
        b, s, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(DIM, dim=2)
        hd = DIM // HEADS
        q = q.view(b, s, HEADS, hd).transpose(1, 2)
        k = k.view(b, s, HEADS, hd).transpose(1, 2)
        v = v.view(b, s, HEADS, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        att = att.masked_fill(mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, s, DIM)
        x = x + self.proj(y)
        return x + self.out(self.act(self.fc(self.ln2(x))))


class Gpt2(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, DIM)
        self.wpe = nn.Embedding(MAX_POS, DIM)
        self.blocks = nn.ModuleList(Gpt2Block() for _ in range(LAYERS))
        self.ln_f = nn.LayerNorm(DIM)
        self.head = nn.Linear(DIM, VOCAB, bias=False)

    def forward(self, input_ids):
        s = input_ids.shape[1]
        pos = torch.arange(s, device=input_ids.device)
        x = self.wte(input_ids) + self.wpe(pos)
        mask = torch.triu(torch.ones(s, s, dtype=torch.bool), diagonal=1)
        for blk in self.blocks:
            x = blk(x, mask)
        return self.head(self.ln_f(x))


class RmsNorm(nn.Module):
    def __init__(self, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(DIM) + 0.1 * torch.randn(DIM))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class LlamaBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = RmsNorm()
        self.q = nn.Linear(DIM, DIM, bias=False)
        self.k = nn.Linear(DIM, DIM, bias=False)
        self.v = nn.Linear(DIM, DIM, bias=False)
        self.o = nn.Linear(DIM, DIM, bias=False)
        self.norm2 = RmsNorm()
        self.gate = nn.Linear(DIM, 2 * DIM, bias=False)
        self.up = nn.Linear(DIM, 2 * DIM, bias=False)
        self.down = nn.Linear(2 * DIM, DIM, bias=False)

    def forward(self, x, cos, sin, mask):
        b, s, _ = x.shape
        hd = DIM // HEADS
        h = self.norm1(x)
        q = self.q(h).view(b, s, HEADS, hd).transpose(1, 2)
        k = self.k(h).view(b, s, HEADS, hd).transpose(1, 2)
        v = self.v(h).view(b, s, HEADS, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd) + mask
        y = (att.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, s, DIM)
        x = x + self.o(y)
        h = self.norm2(x)
        return x + self.down(nn.functional.silu(self.gate(h)) * self.up(h))


class Llama(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, DIM)
        self.blocks = nn.ModuleList(LlamaBlock() for _ in range(LAYERS))
        self.norm = RmsNorm()
        self.head = nn.Linear(DIM, VOCAB, bias=False)
        hd = DIM // HEADS
        inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        self.register_buffer("inv_freq", inv, persistent=False)

    def forward(self, input_ids):
        s = input_ids.shape[1]
        t = torch.arange(s, dtype=torch.float32)
        freqs = t[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((s, s), -1e9).triu(1)
        x = self.embed(input_ids)
        for blk in self.blocks:
            x = blk(x, cos, sin, mask)
        return self.head(self.norm(x))


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name, cls in (("gpt2_tiny", Gpt2), ("llama_tiny", Llama)):
        torch.manual_seed(0)
        model = cls().eval()
        path = os.path.join(out_dir, name + ".onnx")
        example = torch.zeros(1, 8, dtype=torch.int64)
        torch.onnx.export(model, (example,), path, opset_version=17,
                          input_names=["input_ids"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                                        "logits": {0: "batch", 1: "seq"}},
                          do_constant_folding=True)
        rng = np.random.default_rng(1)
        for b, s in BINDINGS:
            ids = rng.integers(0, VOCAB, size=(b, s), dtype=np.int64)
            with torch.no_grad():
                logits = model(torch.from_numpy(ids)).numpy()
            stem = os.path.join(out_dir, f"{name}.b{b}s{s}")
            np.save(stem + ".input_ids.npy", ids)
            np.save(stem + ".logits.npy", logits.astype(np.float32))
        print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__))
