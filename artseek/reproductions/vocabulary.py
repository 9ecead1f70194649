"""The visual vocabulary: a tree of k-means centres over RootSIFT descriptors (a "vocabulary tree").

Nistér and Stewénius's hierarchical k-means: the descriptors are split into
``branch`` clusters, each cluster again, ``depth`` levels down; the leaves are
the visual words (up to ``branch ** depth``, 16^4 = 65,536 by default). A node
with too few descriptors to split is a leaf itself, so a small training sample
gives a smaller vocabulary rather than words learnt from a handful of points.
Quantising a descriptor costs ``branch × depth`` distance computations instead
of one per word, which keeps a large vocabulary cheap (postings of a large
vocabulary are short: that is what makes the inverted index fast).

RootSIFT (Arandjelović and Zisserman): each SIFT descriptor L1-normalised and
square-rooted, so Euclidean distance compares them like the Hellinger kernel.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np

BRANCH = 16
DEPTH = 4
MIN_SPLIT = 2  # a node is split only when it holds at least MIN_SPLIT descriptors per branch
ITERATIONS = 12


def rootsift(descriptors: np.ndarray) -> np.ndarray:
    """RootSIFT of SIFT descriptors (n, 128), float32."""
    d = np.asarray(descriptors, dtype=np.float32)
    d = d / np.maximum(d.sum(axis=1, keepdims=True), 1e-7)
    return np.sqrt(d)


@dataclass
class Vocabulary:
    """``centres[n]`` the centre of node ``n`` (node 0 the root); ``children[n]`` its children's node
    indices (-1: none, a leaf); ``word[n]`` the word of leaf ``n`` (-1 for inner nodes)."""

    centres: np.ndarray  # (nodes, 128) float32
    children: np.ndarray  # (nodes, branch) int32
    word: np.ndarray  # (nodes,) int32

    @property
    def size(self) -> int:
        """The number of words."""
        return int(self.word.max()) + 1 if len(self.word) else 0

    def quantise(self, descriptors: np.ndarray) -> np.ndarray:
        """The word of each RootSIFT descriptor (n,) int32: down the tree, nearest child at each level."""
        d = np.asarray(descriptors, dtype=np.float32)
        node = np.zeros(len(d), dtype=np.int32)
        while True:
            kids = self.children[node]  # (n, branch)
            inner = kids[:, 0] >= 0
            if not inner.any():
                break
            rows = np.nonzero(inner)[0]
            k = kids[rows]
            valid = k >= 0
            centres = self.centres[np.where(valid, k, 0)]  # (m, branch, 128)
            dist = np.einsum("mbd,mbd->mb", centres, centres) - 2 * np.einsum("mbd,md->mb", centres, d[rows])
            dist[~valid] = np.inf
            node[rows] = k[np.arange(len(rows)), dist.argmin(axis=1)]
        return self.word[node]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(buffer, centres=self.centres.astype(np.float16), children=self.children, word=self.word)
        return buffer.getvalue()

    @staticmethod
    def from_bytes(data: bytes) -> Vocabulary:
        with np.load(io.BytesIO(data)) as z:
            return Vocabulary(z["centres"].astype(np.float32), z["children"].astype(np.int32),
                              z["word"].astype(np.int32))


def train(descriptors: np.ndarray, branch: int = BRANCH, depth: int = DEPTH, seed: int = 0) -> Vocabulary:
    """A vocabulary tree from RootSIFT ``descriptors`` (a sample of the library's own)."""
    data = np.ascontiguousarray(descriptors, dtype=np.float32)
    cv2.setRNGSeed(seed)
    centres: list[np.ndarray] = [data.mean(axis=0) if len(data) else np.zeros(128, np.float32)]
    children: list[list[int]] = [[-1] * branch]
    todo = [(0, np.arange(len(data)), 0)]  # (node, its descriptors, level)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, ITERATIONS, 1e-4)
    while todo:
        node, members, level = todo.pop()
        if level >= depth or len(members) < branch * MIN_SPLIT:
            continue
        _, labels, found = cv2.kmeans(data[members], branch, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
        labels = labels.ravel()
        for b in range(branch):
            child = len(centres)
            centres.append(found[b])
            children.append([-1] * branch)
            children[node][b] = child
            todo.append((child, members[labels == b], level + 1))
    kids = np.array(children, dtype=np.int32)
    word = np.full(len(kids), -1, dtype=np.int32)
    leaves = np.nonzero(kids[:, 0] < 0)[0]
    word[leaves] = np.arange(len(leaves), dtype=np.int32)
    return Vocabulary(np.array(centres, dtype=np.float32), kids, word)
