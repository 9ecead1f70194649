"""Image towers exported with one fused attention operator per layer (ONNX Runtime's ``com.microsoft::Attention``).

open_clip's vision transformers compute self-attention with ``torch.nn.MultiheadAttention``.
Exported as it is, every layer becomes a chain of about eight Transpose, Gather and
Reshape nodes around the query/key/value products, which ONNX Runtime's graph
optimiser does not recognise as attention (``onnxruntime.transformers.optimizer``
found nothing to fuse; docs/performance.md). On 2 cores those layout changes were
a sixth of ViT-B-32's int8 image tower's time.

During the export, :func:`fused_attention` swaps each such module of the *image*
tower for :class:`FusedSelfAttention`, which computes the same thing in torch
and exports as one ``Attention`` node (input projection, scaled dot-product
attention and the heads' concatenation in one kernel) followed by the output
projection as an ordinary MatMul and Add. Dynamic int8 quantisation then turns
each ``Attention`` into ``QAttention`` (int8 input projection). The text towers
keep the plain form: their causal mask and the pseudo-token tower are not worth
the special case (search encodes one query at a time).

Only plain self-attention qualifies: batch-first, one packed input projection
with a bias, no extra key/value bias or zero attention, and at run time the same
tensor as query, key and value with no mask. Anything else keeps the original
module (a call that does not qualify is passed through to it), so an export is
never wrong, only sometimes unfused. The export's agreement with torch is
measured afterwards as for any export.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

ONNX_OP = "com.microsoft::Attention"


class _Attention(torch.autograd.Function):
    """Self-attention of ``x`` (batch, tokens, width) without the output projection; exports as one node."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,  # noqa: ANN001
                heads: int) -> torch.Tensor:
        batch, tokens, width = x.shape
        qkv = (x @ weight + bias).reshape(batch, tokens, 3, heads, width // heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
        return out.transpose(1, 2).reshape(batch, tokens, width)

    @staticmethod
    def symbolic(g, x, weight, bias, heads: int):  # noqa: ANN001, ANN205 - torch.onnx's graph context
        out = g.op(ONNX_OP, x, weight, bias, num_heads_i=heads)
        out.setType(x.type())
        return out


def qualifies(module: nn.Module) -> bool:
    """``module`` is a MultiheadAttention that :class:`FusedSelfAttention` can stand in for."""
    return (isinstance(module, nn.MultiheadAttention) and module.batch_first
            and module.in_proj_weight is not None and module.in_proj_bias is not None
            and module.bias_k is None and module.bias_v is None and not module.add_zero_attn
            and module.embed_dim % module.num_heads == 0)


class FusedSelfAttention(nn.Module):
    """Stands in for a qualifying ``nn.MultiheadAttention`` (same call, same result) during an export."""

    def __init__(self, original: nn.MultiheadAttention) -> None:
        super().__init__()
        self.original = original

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                need_weights: bool = True, attn_mask: torch.Tensor | None = None,
                **kwargs) -> tuple[torch.Tensor, None]:  # noqa: ANN003 - MultiheadAttention's other options
        m = self.original
        if query is not key or key is not value or attn_mask is not None or need_weights or kwargs \
                or (m.training and m.dropout > 0):
            return m(query, key, value, need_weights=need_weights, attn_mask=attn_mask, **kwargs)
        out = _Attention.apply(query, m.in_proj_weight.t(), m.in_proj_bias, m.num_heads)
        return F.linear(out, m.out_proj.weight, m.out_proj.bias), None


@contextmanager
def fused_attention(tower: nn.Module) -> Iterator[int]:
    """Within the block, every qualifying attention module below ``tower`` is fused; yields how many.

    The modules are put back afterwards (the same objects), also when the export fails.
    """
    swapped: list[tuple[nn.Module, str, nn.Module]] = []
    for parent in list(tower.modules()):
        for name, child in list(parent.named_children()):
            if qualifies(child):
                swapped.append((parent, name, child))
    try:
        for parent, name, child in swapped:
            setattr(parent, name, FusedSelfAttention(child))
        yield len(swapped)
    finally:
        for parent, name, child in swapped:
            setattr(parent, name, child)
