"""The image tower's faster export forms (issue 15): one ONNX Runtime Attention operator per layer, the patch
embedding as a matrix product."""

from __future__ import annotations

import collections
import json

import onnx
import pytest
import torch
from torch import nn

from artseek.embedding import patch_embedding
from artseek.embedding.fused_attention import FusedSelfAttention, fused_attention, qualifies


def _ops(path) -> collections.Counter:
    return collections.Counter(n.op_type for n in onnx.load(str(path)).graph.node)


@pytest.fixture
def mha() -> nn.MultiheadAttention:
    torch.manual_seed(3)
    return nn.MultiheadAttention(32, 4, batch_first=True).eval()


def test_the_stand_in_computes_what_the_module_does(mha) -> None:
    x = torch.randn(3, 7, 32)
    with torch.no_grad():
        want = mha(x, x, x, need_weights=False)[0]
        got, weights = FusedSelfAttention(mha)(x, x, x, need_weights=False)
    assert weights is None
    assert torch.allclose(got, want, atol=1e-6)


def test_calls_that_are_not_plain_self_attention_go_to_the_module(mha) -> None:
    x, y = torch.randn(2, 5, 32), torch.randn(2, 5, 32)
    mask = torch.triu(torch.full((5, 5), float("-inf")), diagonal=1)
    fused = FusedSelfAttention(mha)
    with torch.no_grad():
        assert torch.allclose(fused(x, x, x, need_weights=False, attn_mask=mask)[0],
                              mha(x, x, x, need_weights=False, attn_mask=mask)[0])
        assert torch.allclose(fused(x, y, y, need_weights=False)[0], mha(x, y, y, need_weights=False)[0])
        out, weights = fused(x, x, x)  # need_weights defaults to True, as for the module
        assert weights is not None and torch.allclose(out, mha(x, x, x)[0])


def test_only_plain_batch_first_self_attention_qualifies() -> None:
    assert qualifies(nn.MultiheadAttention(16, 2, batch_first=True))
    assert not qualifies(nn.MultiheadAttention(16, 2))  # sequence-first
    assert not qualifies(nn.MultiheadAttention(16, 2, batch_first=True, kdim=8, vdim=8))  # no packed projection
    assert not qualifies(nn.MultiheadAttention(16, 2, batch_first=True, bias=False))
    assert not qualifies(nn.MultiheadAttention(16, 2, batch_first=True, add_bias_kv=True))
    assert not qualifies(nn.Linear(16, 16))


def test_the_modules_are_put_back_also_after_a_failure(mha) -> None:
    tower = nn.Sequential(nn.Linear(32, 32), mha)
    with pytest.raises(RuntimeError), fused_attention(tower) as n:
        assert n == 1 and isinstance(tower[1], FusedSelfAttention)
        raise RuntimeError("the export failed")
    assert tower[1] is mha


def test_the_export_fuses_the_image_towers_attention_only(tiny_export) -> None:
    _, folder = tiny_export
    manifest = json.loads((folder / "manifest.json").read_text())
    layers = manifest["image_attention"]["fused_layers"]
    assert layers >= 1 and manifest["image_attention"]["form"] == "com.microsoft::Attention"
    image, text = _ops(folder / "image.onnx"), _ops(folder / "text.onnx")
    assert image["Attention"] == layers and image["Softmax"] == 0
    assert text["Attention"] == 0 and text["Softmax"] >= 1  # the causal text tower keeps the plain form
    assert _ops(folder / "image.int8.onnx")["QAttention"] == layers
    assert manifest["image_attention"]["patch_embedding"] == "matmul" and image["Conv"] == 0
    # the export's own check: fp32 agrees with torch to 0.9999 for every evaluation image
    assert manifest["variants"]["fp32"]["agreement"]["image_cosine_min"] >= 0.9999


def test_the_patch_matmul_computes_what_the_convolution_does() -> None:
    torch.manual_seed(5)
    for conv in (nn.Conv2d(3, 24, kernel_size=8, stride=8, bias=False), nn.Conv2d(3, 24, kernel_size=(4, 8),
                                                                                 stride=(4, 8))):
        x = torch.randn(2, 3, 32, 64)
        with torch.no_grad():
            assert torch.allclose(patch_embedding.PatchMatMul(conv)(x), conv(x), atol=1e-5)
            odd = torch.randn(1, 3, 36, 66)  # not whole patches: the convolution itself
            assert torch.equal(patch_embedding.PatchMatMul(conv)(odd), conv(odd))


def test_only_a_patchifying_convolution_is_swapped_and_it_is_put_back() -> None:
    assert patch_embedding.qualifies(nn.Conv2d(3, 8, 16, stride=16))
    assert not patch_embedding.qualifies(nn.Conv2d(3, 8, 3, stride=2, padding=1))  # a ResNet stem
    assert not patch_embedding.qualifies(nn.Conv2d(3, 8, 16, stride=8))  # overlapping patches
    assert not patch_embedding.qualifies(nn.Conv2d(4, 8, 16, stride=16, groups=4))
    tower = nn.Module()
    tower.conv1 = conv = nn.Conv2d(3, 8, 16, stride=16)
    with patch_embedding.patch_matmul(tower) as n:
        assert n == 1 and isinstance(tower.conv1, patch_embedding.PatchMatMul)
    assert tower.conv1 is conv
    other = nn.Module()
    other.conv1 = stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
    with patch_embedding.patch_matmul(other) as n:
        assert n == 0 and other.conv1 is stem
