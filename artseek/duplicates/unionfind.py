"""Union-find (disjoint sets) over 0..n-1 with path halving and union by size."""

from __future__ import annotations

import numpy as np


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = np.arange(n, dtype=np.int64).tolist()
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return True

    def union_all(self, a: np.ndarray, b: np.ndarray) -> None:
        for x, y in zip(np.asarray(a).tolist(), np.asarray(b).tolist()):
            self.union(x, y)

    def components(self, members: np.ndarray | list[int] | None = None) -> dict[int, list[int]]:
        """Root -> its elements (of ``members``, default all), in increasing order."""
        out: dict[int, list[int]] = {}
        for x in (range(len(self.parent)) if members is None else members):
            out.setdefault(self.find(int(x)), []).append(int(x))
        return out

    def copy(self) -> UnionFind:
        other = UnionFind(0)
        other.parent, other.size = list(self.parent), list(self.size)
        return other
