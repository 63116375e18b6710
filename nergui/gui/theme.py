"""Light and dark palettes (Fusion), following the system unless the user picks one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return bool(scheme and scheme() == Qt.ColorScheme.Dark)


def use_fusion(app: QApplication) -> None:
    """The Fusion style, set once: setting it again re-polishes every widget (0.2 s in a full window)."""
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")


def apply_theme(app: QApplication, theme: str = "system") -> bool:
    """Apply a theme; returns True if the result is dark."""
    dark = system_is_dark() if theme == "system" else theme == "dark"
    use_fusion(app)
    app.setPalette(_dark() if dark else _light())
    return dark


def _light() -> QPalette:
    p = QPalette()
    for role, colour in {
        QPalette.Window: "#f3f3f3", QPalette.WindowText: "#1f1f1f", QPalette.Base: "#ffffff",
        QPalette.AlternateBase: "#f7f7f7", QPalette.Text: "#1f1f1f", QPalette.Button: "#ececec",
        QPalette.ButtonText: "#1f1f1f", QPalette.Highlight: "#2b6cd4", QPalette.HighlightedText: "#ffffff",
        QPalette.ToolTipBase: "#ffffe8", QPalette.ToolTipText: "#1f1f1f", QPalette.PlaceholderText: "#767676",
        QPalette.Link: "#1a56b8", QPalette.Mid: "#c8c8c8", QPalette.Dark: "#9a9a9a",
    }.items():
        p.setColor(role, QColor(colour))
    p.setColor(QPalette.Disabled, QPalette.Text, QColor("#9a9a9a"))
    p.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#9a9a9a"))
    return p


def _dark() -> QPalette:
    p = QPalette()
    for role, colour in {
        QPalette.Window: "#26282b", QPalette.WindowText: "#e6e6e6", QPalette.Base: "#1c1d1f",
        QPalette.AlternateBase: "#2a2c30", QPalette.Text: "#e6e6e6", QPalette.Button: "#33363a",
        QPalette.ButtonText: "#e6e6e6", QPalette.Highlight: "#3d7be0", QPalette.HighlightedText: "#ffffff",
        QPalette.ToolTipBase: "#33363a", QPalette.ToolTipText: "#e6e6e6", QPalette.PlaceholderText: "#9a9a9a",
        QPalette.Link: "#8ab4f8", QPalette.Mid: "#4a4d52", QPalette.Dark: "#6a6e74",
        QPalette.BrightText: "#ffffff",
    }.items():
        p.setColor(role, QColor(colour))
    p.setColor(QPalette.Disabled, QPalette.Text, QColor("#7a7a7a"))
    p.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#7a7a7a"))
    p.setColor(QPalette.Disabled, QPalette.WindowText, QColor("#7a7a7a"))
    return p


# Flat scroll bars for the big views (the text and the document list). Fusion's own took
# 2.5 ms to paint a 690-pixel bar (gradients, in software), and the text view's bar is
# repainted on every document switch; these take 0.03 ms. ``palette()`` colours are
# resolved when the sheet is set: call again after a theme change.
SCROLLBAR_QSS = """
QScrollBar:vertical { background: palette(base); width: 12px; margin: 0px; }
QScrollBar:horizontal { background: palette(base); height: 12px; margin: 0px; }
QScrollBar::handle:vertical { background: palette(mid); min-height: 28px; border-radius: 4px; margin: 2px; }
QScrollBar::handle:horizontal { background: palette(mid); min-width: 28px; border-radius: 4px; margin: 2px; }
QScrollBar::handle:hover, QScrollBar::handle:pressed { background: palette(dark); }
QScrollBar::add-line, QScrollBar::sub-line { width: 0px; height: 0px; }
QScrollBar::add-page, QScrollBar::sub-page { background: none; }
"""


def flat_scrollbars(*views) -> None:
    """Give these scroll areas the flat scroll bars (again after a theme change)."""
    for view in views:
        for bar in (view.verticalScrollBar(), view.horizontalScrollBar()):
            bar.setStyleSheet("")
            bar.setStyleSheet(SCROLLBAR_QSS)
