"""Draw the plugin icon (icon.png, 64 x 64) with Qt: a box prompt over an aerial tile, with a
segmented object and a caption line. Run once; the PNG is committed.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icon.py [OUT.png]
"""

import sys
from pathlib import Path

from qgis.PyQt.QtCore import QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QGuiApplication, QImage, QPainter, QPen, QPolygonF

SIZE = 64


def draw_icon() -> QImage:
    """The icon as an ARGB image of ``SIZE`` x ``SIZE`` pixels."""
    image = QImage(SIZE, SIZE, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)

    # Aerial tile: green-grey rounded square with a road.
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor(74, 110, 78))
    painter.drawRoundedRect(QRectF(2, 2, 60, 60), 9, 9)
    painter.setPen(QPen(QColor(196, 190, 170), 6))
    painter.drawLine(QPointF(4, 50), QPointF(60, 34))

    # Segmented object (a building) in a distinct translucent colour.
    painter.setPen(QPen(QColor(255, 140, 0), 2))
    painter.setBrush(QColor(255, 140, 0, 150))
    painter.drawPolygon(
        QPolygonF([QPointF(20, 16), QPointF(40, 14), QPointF(43, 31), QPointF(22, 34)])
    )

    # The user's box prompt: dashed white rectangle.
    pen = QPen(QColor(255, 255, 255), 2.5, Qt.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.NoBrush)
    painter.drawRect(QRectF(13, 9, 37, 32))

    # Caption bubble.
    painter.setPen(Qt.NoPen)
    painter.setBrush(QBrush(QColor(255, 255, 255, 235)))
    painter.drawRoundedRect(QRectF(8, 44, 48, 14), 4, 4)
    painter.setBrush(QColor(40, 40, 40))
    painter.drawRect(QRectF(12, 48, 20, 2.5))
    painter.setBrush(QColor(255, 140, 0))
    painter.drawRect(QRectF(34, 48, 17, 2.5))
    painter.setBrush(QColor(40, 40, 40))
    painter.drawRect(QRectF(12, 52.5, 30, 2.5))
    painter.end()
    return image


def main() -> None:
    """Write the icon to the path given, or to icon.png at the repository root."""
    out = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "icon.png"
    )
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    if not draw_icon().save(str(out), "PNG"):
        raise SystemExit(f"Could not write {out}.")
    print(f"icon written to {out}")
    del app


if __name__ == "__main__":
    main()
