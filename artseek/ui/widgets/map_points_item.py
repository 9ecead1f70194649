"""The one scene item that draws every point of the map: dots far out, thumbnails close in, cluster labels,
the current results with their rank, the selection and the current image.

One item for all points (not one per point) keeps a 100k-image map responsive: the dots are rasterised
with numpy into one image of the exposed area (a few milliseconds for 100k points, where QPainter's
``drawPoints`` took most of a second on a loaded 2-core machine); thumbnails, rings and labels are drawn
in device pixels for the points in the exposed area only.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

SCALE = 100.0  # scene units per map unit
THUMB_PX = 64  # thumbnails' size on screen
THUMBS_MAX = 500  # thumbnails are drawn while at most this many points are in view (else dots)
THUMBS_FROM = 0.8  # ... and the view has room for them: at least (THUMBS_FROM * THUMB_PX)² pixels per point
RANKS_SHOWN = 100


def cluster_colour(c: int) -> QColor:
    if c < 0:
        return QColor(160, 160, 160)
    return QColor.fromHsvF((c * 0.618034) % 1.0, 0.65, 0.85)


class MapPointsItem(QGraphicsItem):
    def __init__(self, thumbnail, parent: QGraphicsItem | None = None) -> None:  # noqa: ANN001
        """``thumbnail(image_id)``: a cached QPixmap or None (then it is loaded and the item repainted)."""
        super().__init__(parent)
        self.thumbnail = thumbnail
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.ids = np.zeros(0, np.int64)
        self.xy = np.zeros((0, 2), np.float64)  # scene coordinates
        self.cluster = np.zeros(0, np.int32)
        self.rows: dict[int, int] = {}
        self.labels: list = []  # (text, QPointF scene, cluster id, size)
        self.ranks: dict[int, int] = {}
        self.selected: set[int] = set()
        self.current: int | None = None
        self.lasso: list[QPointF] = []
        self._argb = np.zeros(0, np.uint32)  # each point's colour
        self._bounds = QRectF()
        self._spacing = 1.0
        self.last_mode = "dots"  # what the last paint drew: "dots" | "thumbnails" (tests read it)

    def set_points(self, ids: np.ndarray, xy: np.ndarray, cluster: np.ndarray, clusters: list) -> None:
        self.prepareGeometryChange()
        self.ids, self.cluster = np.asarray(ids, np.int64), np.asarray(cluster, np.int32)
        self.xy = np.asarray(xy, np.float64) * SCALE
        self.xy[:, 1] *= -1  # up is up
        self.rows = {int(i): r for r, i in enumerate(self.ids.tolist())}
        numbers = sorted(set(self.cluster.tolist()))
        table = np.array([cluster_colour(c).rgba() for c in numbers], dtype=np.uint32)
        self._argb = table[np.searchsorted(np.array(numbers, dtype=np.int32), self.cluster)] if numbers else \
            np.zeros(0, np.uint32)
        self.labels = [(c.label, QPointF(c.x * SCALE, -c.y * SCALE), c.id, c.size)
                       for c in sorted(clusters, key=lambda c: -c.size)]
        if len(self.xy):
            lo, hi = self.xy.min(axis=0), self.xy.max(axis=0)
            self._bounds = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]).adjusted(-50, -50, 50, 50)
            area = max(1.0, (hi[0] - lo[0]) * (hi[1] - lo[1]))
            self._spacing = float(np.sqrt(area / len(self.xy)))
        else:
            self._bounds = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def scene_pos(self, image_id: int) -> QPointF | None:
        row = self.rows.get(image_id)
        return None if row is None else QPointF(*self.xy[row])

    def thumbnails_shown(self, lod: float, visible: int, area_px: float) -> bool:
        """Thumbnails when few points are in view and they have room (``area_px``: the view's area)."""
        return 0 < visible <= THUMBS_MAX and area_px / visible >= (THUMBS_FROM * THUMB_PX) ** 2

    def dots_image(self, world, area: QRectF) -> tuple[QImage, np.ndarray]:  # noqa: ANN001
        """The dots of the device-pixel rectangle ``area`` as an image (and the buffer it must keep alive);
        selected images are dark."""
        w, h = max(1, int(area.width()) + 1), max(1, int(area.height()) + 1)
        r = 1 if len(self.xy) > 20_000 else 2 if len(self.xy) > 2_000 else 3  # dot radius: smaller in big maps
        width = w + 2 * r  # a margin of r around, so that no dot needs clipping
        px = np.rint(self.xy[:, 0] * world.m11() + (world.dx() - area.left() + r)).astype(np.int64)
        py = np.rint(self.xy[:, 1] * world.m22() + (world.dy() - area.top() + r)).astype(np.int64)
        inside = (px >= r) & (px < w + r) & (py >= r) & (py < h + r)
        flat = (py[inside] * width + px[inside])
        colours = self._argb[inside]
        if self.selected:
            rows = [self.rows[i] for i in self.selected if i in self.rows]
            chosen = np.zeros(len(self.xy), dtype=bool)
            chosen[rows] = True
            colours = np.where(chosen[inside], np.uint32(0xFF202020), colours)
        buf = np.zeros((h + 2 * r) * width, dtype=np.uint32)
        for dx in range(-r, r + 1):
            for dy in range(-r, r + 1):
                if r > 1 and abs(dx) == r and abs(dy) == r:
                    continue  # round the corners
                buf[flat + (dy * width + dx)] = colours
        crop = np.ascontiguousarray(buf.reshape(h + 2 * r, width)[r:r + h, r:r + w])
        return QImage(crop.data, w, h, w * 4, QImage.Format.Format_ARGB32_Premultiplied), crop

    # ------------------------------------------------------------ painting
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not len(self.xy):
            return
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = option.exposedRect
        pad = THUMB_PX / lod
        x, y = self.xy[:, 0], self.xy[:, 1]
        visible = np.flatnonzero((x >= r.left() - pad) & (x <= r.right() + pad) & (y >= r.top() - pad)
                                 & (y <= r.bottom() + pad))
        world = painter.worldTransform()
        device = world.mapRect(r)
        if widget is not None:
            device = device.intersected(QRectF(widget.rect()))
        if self.thumbnails_shown(lod, len(visible), device.width() * device.height()):
            self.last_mode = "thumbnails"
            painter.resetTransform()
            for row in visible.tolist():
                centre = world.map(QPointF(*self.xy[row]))
                pixmap = self.thumbnail(int(self.ids[row]))
                if pixmap is None or pixmap.isNull():
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(cluster_colour(int(self.cluster[row])))
                    painter.drawEllipse(centre, 4, 4)
                    continue
                scaled = pixmap.size().scaled(THUMB_PX, THUMB_PX, Qt.AspectRatioMode.KeepAspectRatio)
                target = QRectF(centre.x() - scaled.width() / 2, centre.y() - scaled.height() / 2, scaled.width(),
                                scaled.height())
                painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))
                painter.setPen(QPen(cluster_colour(int(self.cluster[row])), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(target)
        else:
            self.last_mode = "dots"
            painter.resetTransform()
            image, _buf = self.dots_image(world, device)
            painter.drawImage(device.topLeft(), image)
        self._paint_overlays(painter, world, device, thumbnails=self.last_mode == "thumbnails")

    def _paint_overlays(self, painter: QPainter, world, device: QRectF, thumbnails: bool) -> None:  # noqa: ANN001
        """Selection (rings around thumbnails; dots are dark), results with their rank, the current image and the
        labels, in device pixels."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        area = device.adjusted(-THUMB_PX, -THUMB_PX, THUMB_PX, THUMB_PX)

        def shown(ids) -> list[QPointF]:  # noqa: ANN001
            points = (world.map(QPointF(*self.xy[self.rows[i]])) for i in ids if i in self.rows)
            return [p for p in points if area.contains(p)]

        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(20, 20, 20), 2))
        if thumbnails:
            for p in shown(self.selected):
                painter.drawEllipse(p, 6, 6)
        font = QFont(painter.font())
        font.setPointSizeF(8)
        font.setBold(True)
        painter.setFont(font)
        ranked = [i for i, rank in self.ranks.items() if rank <= RANKS_SHOWN]
        for image_id in ranked:
            p = world.map(self.scene_pos(image_id)) if image_id in self.rows else None
            if p is None or not area.contains(p):
                continue
            rank = self.ranks[image_id]
            painter.setPen(QPen(QColor(207, 34, 46), 2))
            painter.drawEllipse(p, 8, 8)
            painter.drawText(QPointF(p.x() + 9, p.y() - 6), str(rank))
        for p in shown([self.current] if self.current is not None else []):
            painter.setPen(QPen(QColor(9, 105, 218), 3))
            painter.drawEllipse(p, 11, 11)
        self._paint_labels(painter, world)
        if len(self.lasso) > 1:
            pen = QPen(QColor(9, 105, 218), 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawPolyline(QPolygonF([world.map(p) for p in self.lasso]))

    def _paint_labels(self, painter: QPainter, world) -> None:  # noqa: ANN001
        font = QFont(painter.font())
        font.setPointSizeF(9.5)
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        taken: list[QRectF] = []
        for text, pos, c, _size in self.labels:
            p = world.map(pos)
            w, h = metrics.horizontalAdvance(text) + 12, metrics.height() + 4
            box = QRectF(p.x() - w / 2, p.y() - h / 2, w, h)
            if any(box.intersects(t) for t in taken):
                continue  # a larger cluster's label is there: this one shows when zoomed in
            taken.append(box)
            painter.setPen(QPen(cluster_colour(c), 1.5))
            painter.setBrush(QColor(255, 255, 255, 225))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(QColor(30, 30, 30))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
