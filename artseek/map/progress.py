"""Options, progress reports and the outcome of a map build (plain data, no Qt)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class MapOptions:
    """How the map is computed.

    ``sample``: UMAP is fitted on at most this many images (a random sample) and the rest are placed with
    the fitted model's ``transform``, so 100k images lay out in minutes and 1M stays feasible.
    ``min_cluster_size``: HDBSCAN's; None picks ``max(5, sqrt(n) / 2)``.
    """

    sample: int = 10_000
    neighbours: int = 15
    min_dist: float = 0.1
    min_cluster_size: int | None = None
    chunk: int = 5_000  # images placed per transform call (progress and cancel between chunks)
    seed: int = 42
    threads: int | None = None  # numba threads (None: all cores)


@dataclass
class MapProgress:
    """A snapshot of a map build, sent to listeners between steps."""

    phase: str  # reading | fitting | placing | clustering | labelling | saving | done | cancelled
    done: int = 0
    total: int = 0
    message: str = ""


MapListener = Callable[[MapProgress], None]


@dataclass
class MapReport:
    """What a build did."""

    points: int = 0  # images on the map now
    fitted: int = 0  # images the layout was fitted on (0: no refit, new images placed with the saved model)
    placed: int = 0  # images placed with the fitted model's transform
    removed: int = 0  # images no longer in the library taken off the map
    clusters: int = 0
    refit: bool = False
    cancelled: bool = False
    seconds: float = 0.0
    note: str = ""  # why a full refit ran when an update was asked for

    def to_dict(self) -> dict:
        return asdict(self)
