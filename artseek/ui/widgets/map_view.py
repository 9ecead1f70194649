"""The map view: the whole collection as one zoomable map (a QGraphicsView over :class:`MapPointsItem`).

Mouse wheel and ``+``/``-`` zoom (around the pointer); dragging, a trackpad's two-finger scroll and the
arrow keys pan; a pinch zooms; ``0`` or Home shows everything. A click picks the image under the pointer
(``currentChanged``); dragging in rectangle mode (or with Shift) or lasso mode (or with Alt) selects the
images inside (``selectionChanged``). Hovering shows the file's path.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QToolTip, QWidget

from artseek.map import spatial
from artseek.ui.none_guard import guard
from artseek.ui.widgets.map_points_item import THUMB_PX, MapPointsItem

ZOOM_STEP = 1.25
PICK_PX = 7  # a click picks a dot this close (device pixels)
NAV_KEYS = {Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up,
            Qt.Key.Key_Down, Qt.Key.Key_0, Qt.Key.Key_Home}


class MapView(QGraphicsView):
    currentChanged = Signal(int)  # the image clicked
    selectionChanged = Signal(list)  # the image ids selected by rectangle or lasso (or the click)

    def __init__(self, thumbnail, parent: QWidget | None = None) -> None:  # noqa: ANN001
        """``thumbnail(image_id)``: a cached QPixmap or None (the service's thumbnail loader's ``pixmap``)."""
        super().__init__(parent)
        guard()  # PySide6 6.12 on Python 3.11 loses a reference to None per call: see ui/none_guard.py
        self.setObjectName("mapView")
        self.setScene(QGraphicsScene(self))
        self.item = MapPointsItem(thumbnail)
        self.scene().addItem(self.item)
        self.paths: list[str] = []
        self.mode = "pan"  # "pan" | "rect" | "lasso": what a left drag does
        self.hover_id: int | None = None
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(Qt.GlobalColor.white)
        self._press: QPointF | None = None
        self._last: QPointF | None = None
        self._gesture = ""  # "" | "pan" | "rect" | "lasso" while a button is down
        self._rubber: QRectF | None = None

    # ------------------------------------------------------------ content
    def set_map(self, points, clusters: list) -> None:  # noqa: ANN001 - MapPoints
        self.paths = list(points.paths)
        self.item.set_points(points.ids, points.xy, points.cluster, clusters)
        bounds = self.item.boundingRect()
        margin = max(bounds.width(), bounds.height(), 100.0) * 4
        self.setSceneRect(bounds.adjusted(-margin, -margin, margin, margin))
        self.fit_all()

    def set_results(self, image_ids: list[int]) -> None:
        self.item.ranks = {i: rank for rank, i in enumerate(image_ids, 1)}
        self.viewport().update()

    def set_selection(self, image_ids) -> None:  # noqa: ANN001
        self.item.selected = set(image_ids)
        self.viewport().update()

    def set_current(self, image_id: int | None) -> None:
        self.item.current = image_id
        self.viewport().update()

    @property
    def selected(self) -> list[int]:
        return sorted(self.item.selected)

    def path_of(self, image_id: int) -> str | None:
        row = self.item.rows.get(image_id)
        return None if row is None else self.paths[row]

    # ------------------------------------------------------------ zoom and pan
    @property
    def zoom(self) -> float:
        """Device pixels per scene unit."""
        return self.transform().m11()

    def fit_all(self) -> None:
        bounds = self.item.boundingRect()
        if bounds.isValid():  # with a margin for the labels of clusters at the edge
            mx, my = bounds.width() * 0.08, bounds.height() * 0.05
            self.fitInView(bounds.adjusted(-mx, -my, mx, my), Qt.AspectRatioMode.KeepAspectRatio)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        bounds = self.item.boundingRect()
        fit = min(self.viewport().width() / max(bounds.width(), 1.0),
                  self.viewport().height() / max(bounds.height(), 1.0))
        target = min(max(self.zoom * factor, fit / 4), 40.0)
        factor = target / self.zoom if self.zoom else 1.0
        if anchor is None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self.scale(factor, factor)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        else:
            before = self.mapToScene(anchor.toPoint())
            self.scale(factor, factor)
            after = self.mapToScene(anchor.toPoint())
            self.translate_scene(after.x() - before.x(), after.y() - before.y())

    def translate_scene(self, dx: float, dy: float) -> None:
        """Move the content by (dx, dy) scene units (positive: the content moves right/down)."""
        self.pan_by(-dx * self.zoom, -dy * self.zoom)

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the view by (dx, dy) device pixels (positive: look further right/down)."""
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(dx))
        v.setValue(v.value() + round(dy))

    def centre(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        pixel = event.pixelDelta()
        if not pixel.isNull() and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.pan_by(-pixel.x(), -pixel.y())  # a trackpad's two-finger scroll pans
        else:
            steps = event.angleDelta().y() / 120.0 or (pixel.y() / 50.0)
            self.zoom_by(ZOOM_STEP ** steps, event.position())
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.NativeGesture and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
            self.zoom_by(1.0 + event.value(), event.position())  # a trackpad's pinch
            return True
        return super().viewportEvent(event)

    def event(self, event: QEvent) -> bool:
        # The window's shortcuts use + and -; in the map they zoom (and the arrows pan).
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in NAV_KEYS \
                and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key, step = event.key(), self.viewport().width() / 8
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(ZOOM_STEP)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / ZOOM_STEP)
        elif key in (Qt.Key.Key_0, Qt.Key.Key_Home):
            self.fit_all()
        elif key == Qt.Key.Key_Left:
            self.pan_by(-step, 0)
        elif key == Qt.Key.Key_Right:
            self.pan_by(step, 0)
        elif key == Qt.Key.Key_Up:
            self.pan_by(0, -step)
        elif key == Qt.Key.Key_Down:
            self.pan_by(0, step)
        else:
            super().keyPressEvent(event)

    # ------------------------------------------------------------ picking and selecting
    def image_at(self, pos: QPointF) -> int | None:
        """The image under the view position ``pos`` (its thumbnail when thumbnails show, else a dot nearby)."""
        scene = self.mapToScene(pos.toPoint())
        visible = len(spatial.in_rect(self.item.xy, *_corners(self.mapToScene(self.viewport().rect()).boundingRect())))
        area = float(self.viewport().width() * self.viewport().height())
        radius = (THUMB_PX / 2 if self.item.thumbnails_shown(self.zoom, visible, area) else PICK_PX) / max(self.zoom,
                                                                                                            1e-9)
        row = spatial.nearest(self.item.xy, scene.x(), scene.y(), radius)
        return None if row is None else int(self.item.ids[row])

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self._press = self._last = event.position()
        mods = event.modifiers()
        self._gesture = ("rect" if mods & Qt.KeyboardModifier.ShiftModifier else
                         "lasso" if mods & Qt.KeyboardModifier.AltModifier else self.mode)
        self.item.lasso = [self.mapToScene(event.position().toPoint())] if self._gesture == "lasso" else []
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self._press is None:
            self._hover(event)
            return
        if self._gesture == "pan":
            delta = pos - self._last
            self.pan_by(-delta.x(), -delta.y())
        elif self._gesture == "rect":
            self._rubber = QRectF(self.mapToScene(self._press.toPoint()), self.mapToScene(pos.toPoint())).normalized()
        elif self._gesture == "lasso":
            self.item.lasso.append(self.mapToScene(pos.toPoint()))
        self._last = pos
        self.viewport().update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return super().mouseReleaseEvent(event)
        pos, press, gesture = event.position(), self._press, self._gesture
        self._press, self._gesture = None, ""
        moved = (pos - press).manhattanLength() > 4
        if not moved:
            image_id = self.image_at(pos)
            if image_id is not None:
                self.set_selection([image_id])
                self.set_current(image_id)
                self.currentChanged.emit(image_id)
                self.selectionChanged.emit([image_id])
        elif gesture == "rect":
            a, b = self.mapToScene(press.toPoint()), self.mapToScene(pos.toPoint())
            self._select(spatial.in_rect(self.item.xy, a.x(), a.y(), b.x(), b.y()))
        elif gesture == "lasso":
            self._select(spatial.in_polygon(self.item.xy, [(p.x(), p.y()) for p in self.item.lasso]))
        self._rubber, self.item.lasso = None, []
        self.viewport().update()
        event.accept()

    def _select(self, rows: np.ndarray) -> None:
        ids = [int(i) for i in self.item.ids[rows]]
        self.set_selection(ids)
        self.selectionChanged.emit(ids)

    def _hover(self, event: QMouseEvent) -> None:
        image_id = self.image_at(event.position())
        if image_id != self.hover_id:
            self.hover_id = image_id
            path = self.path_of(image_id) if image_id is not None else None
            if path:
                QToolTip.showText(event.globalPosition().toPoint(), f"{os.path.basename(path)}\n{path}", self)
            else:
                QToolTip.hideText()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        if self._rubber is not None:
            painter.setPen(Qt.PenStyle.DashLine)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self._rubber)


def _corners(r: QRectF) -> tuple[float, float, float, float]:
    return r.left(), r.top(), r.right(), r.bottom()
