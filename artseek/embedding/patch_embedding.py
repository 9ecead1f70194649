"""A vision transformer's patch embedding exported as one matrix product instead of a convolution.

open_clip's ``VisionTransformer`` cuts the picture into patches with ``conv1``, a
convolution whose kernel equals its stride (32 x 32 pixels for ViT-B-32): each
output is one patch's pixels times a weight matrix. During the export,
:func:`patch_matmul` swaps it for :class:`PatchMatMul`, which reshapes the picture
into its patches and multiplies them by the same weights, with the same result.
ONNX Runtime runs that MatMul faster than the Conv (ViT-B-32's fp32 image tower
about 10 % less CPU), and dynamic int8 quantises it like every other MatMul
(a convolution is left fp32 there: ``export.dynamic_int8_ops``), about 4 % less
CPU for the int8 tower (docs/performance.md, issue 15).

Only a plain patchifying convolution qualifies (kernel = stride, no padding,
dilation or groups); the module is put back after the export.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


def qualifies(module: nn.Module) -> bool:
    """``module`` is a convolution that only cuts its input into patches and projects each."""
    return (isinstance(module, nn.Conv2d) and tuple(module.kernel_size) == tuple(module.stride)
            and tuple(module.padding) == (0, 0) and tuple(module.dilation) == (1, 1) and module.groups == 1
            and module.padding_mode == "zeros")


class PatchMatMul(nn.Module):
    """Stands in for a qualifying ``nn.Conv2d`` (same input and output) during an export."""

    def __init__(self, conv: nn.Conv2d) -> None:
        super().__init__()
        self.conv = conv

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.conv
        ph, pw = c.kernel_size
        batch, channels, height, width = x.shape
        gh, gw = height // ph, width // pw
        if height != gh * ph or width != gw * pw:  # a picture that is not whole patches: the convolution crops
            return c(x)
        patches = x.reshape(batch, channels, gh, ph, gw, pw).permute(0, 2, 4, 1, 3, 5)
        out = patches.reshape(batch, gh * gw, channels * ph * pw) @ c.weight.reshape(c.out_channels, -1).t()
        if c.bias is not None:
            out = out + c.bias
        return out.permute(0, 2, 1).reshape(batch, c.out_channels, gh, gw)


@contextmanager
def patch_matmul(tower: nn.Module) -> Iterator[int]:
    """Within the block, ``tower``'s patch embedding (its ``conv1``) is a :class:`PatchMatMul`; yields 1 or 0.

    Only the patch embedding is swapped (other convolutions, e.g. MobileCLIP's, stay as they are), and it is
    put back afterwards, also when the export fails.
    """
    conv = getattr(tower, "conv1", None)
    if conv is None or not qualifies(conv):
        yield 0
        return
    tower.conv1 = PatchMatMul(conv)
    try:
        yield 1
    finally:
        tower.conv1 = conv
