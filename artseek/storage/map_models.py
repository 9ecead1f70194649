"""Schema of the collection map (issue 18): each image's place on the 2D map and the map's clusters.

Same ``Base`` as :mod:`artseek.storage.models`, so ``create_all`` makes these
tables in existing libraries (new tables, no migration needed). Both are a
cache computed from the stored embeddings (:mod:`artseek.map`): losing them
loses nothing of the curator's; ``main.py map build`` makes them again.
Imports neither torch nor Qt.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from artseek.storage.models import Base


class MapPoint(Base):
    """Where an image sits on the map, and its cluster (-1: in no cluster)."""

    __tablename__ = "map_points"
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    cluster: Mapped[int] = mapped_column(Integer, default=-1, index=True)
    placed_by: Mapped[str | None] = mapped_column(String(16))  # "fit" (in the layout's sample) | "transform"


class MapCluster(Base):
    """A cluster of the map: its label, where the label goes, how many images it holds."""

    __tablename__ = "map_clusters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the cluster number in map_points.cluster
    label: Mapped[str] = mapped_column(Text)
    label_source: Mapped[str | None] = mapped_column(String(16))  # "tags" | "vocabulary"
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    size: Mapped[int] = mapped_column(Integer)


__all__ = ["MapCluster", "MapPoint"]
