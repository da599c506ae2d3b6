"""Light and dark themes, each one table of colours; the palette and the stylesheet are built from it.

Every text colour is paired with the backgrounds it is drawn on in :data:`TEXT_PAIRS` (WCAG AA:
4.5:1) and every non-text mark (the flag bar, input borders, the focus ring, the level meter) in
:data:`MARK_PAIRS` (3:1); ``tests/ui/test_theme.py`` checks both tables with :func:`contrast` for
every theme, so a colour that fails cannot be added quietly.

The app font is the system's, scaled by the zoom; the stylesheet names no font size of its own but
titles a fixed ratio of the app font. Other widgets take their colours from :func:`current` (for
example ``QColor(current().flag_bg)``) and repaint on ``QEvent.Type.PaletteChange``, which Qt sends
to every widget when the theme changes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from scribe.domain import Status

SYSTEM, LIGHT_NAME, DARK_NAME = "system", "light", "dark"
THEMES = (SYSTEM, LIGHT_NAME, DARK_NAME)
"""The choices in View ▸ Theme; ``system`` follows the desktop's light or dark setting."""

ZOOM_STEPS = (0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0)
"""Zoom factors of the app font (Ctrl+Plus / Ctrl+Minus step through them, Ctrl+0 is 1.0)."""


@dataclass(frozen=True)
class Colours:
    """One theme's colours (``#rrggbb``), by what they are for."""

    name: str
    window: str
    window_text: str
    base: str  # text fields, lists, the note page
    alt_base: str  # alternate rows of the visit list
    text: str
    muted: str  # subtitles, hints, pane titles
    placeholder: str
    button: str
    button_text: str
    disabled_text: str  # exempt from WCAG; kept readable anyway
    border: str  # input and frame borders (non-text, 3:1)
    highlight: str  # selection and the focus ring
    highlight_text: str
    link: str
    tooltip_bg: str
    tooltip_text: str
    section_title: str  # SUBJECTIVE, OBJECTIVE… on the note page
    warning_fg: str
    warning_bg: str
    error_fg: str
    error_bg: str
    error_border: str
    signature_fg: str
    signature_bg: str
    addenda_fg: str
    addenda_bg: str
    flag_fg: str  # a flagged sentence's text and its reason
    flag_bg: str  # the band behind a flagged sentence
    flag_mark: str  # the flag's icon or bar, against the page (non-text, 3:1)
    evidence_bg: str  # transcript lines behind the selected sentence
    pending: str  # live transcript words that may still change
    recording: str
    paused: str
    meter_bg: str
    meter_chunk: str
    speaker_clinician: str
    speaker_patient: str
    speaker_other: str
    status_active: str  # transcribing, drafting
    status_review: str
    status_signed: str
    status_failed: str
    status_discarded: str

    def qcolor(self, role: str) -> QColor:
        """The colour of ``role`` (a field name) as a QColor."""
        return QColor(getattr(self, role))

    def for_status(self, status: Status) -> str:
        """The colour a visit's status is written in (the visit list)."""
        return {
            Status.RECORDING: self.recording,
            Status.PAUSED: self.paused,
            Status.TRANSCRIBING: self.status_active,
            Status.DRAFTING: self.status_active,
            Status.IN_REVIEW: self.status_review,
            Status.SIGNED: self.status_signed,
            Status.FAILED: self.status_failed,
            Status.DISCARDED: self.status_discarded,
        }[status]

    def for_speaker(self, speaker: str | None) -> str:
        """The colour a transcript line of ``speaker`` is written in."""
        return {"clinician": self.speaker_clinician, "patient": self.speaker_patient}.get(
            speaker or "", self.speaker_other if speaker else self.text)


LIGHT = Colours(
    name=LIGHT_NAME,
    window="#f3f4f6", window_text="#1f2933", base="#ffffff", alt_base="#f2f4f7",
    text="#1f2933", muted="#4f5b67", placeholder="#66707c",
    button="#e8ebef", button_text="#1f2933", disabled_text="#8a939e", border="#7d8793",
    highlight="#1f5fa8", highlight_text="#ffffff", link="#1a56a0",
    tooltip_bg="#2b3138", tooltip_text="#f5f7fa",
    section_title="#23395d",
    warning_fg="#654a00", warning_bg="#fff3cd",
    error_fg="#8a1c1c", error_bg="#fdecea", error_border="#c9605b",
    signature_fg="#1b5e20", signature_bg="#e8f5e9",
    addenda_fg="#1f2933", addenda_bg="#eef0f3",
    flag_fg="#5c3b00", flag_bg="#ffe7a8", flag_mark="#a85600",
    evidence_bg="#d7ecff", pending="#5f6a76",
    recording="#b71c1c", paused="#9a4700",
    meter_bg="#e3e6ea", meter_chunk="#2e7d32",
    speaker_clinician="#1a4f8b", speaker_patient="#7a3e00", speaker_other="#4a5561",
    status_active="#1557a8", status_review="#6a1b9a", status_signed="#2a6e2e",
    status_failed="#b71c1c", status_discarded="#5f6670",
)

DARK = Colours(
    name=DARK_NAME,
    window="#1e2227", window_text="#e6e9ed", base="#15181c", alt_base="#1d2126",
    text="#e6e9ed", muted="#aab4bf", placeholder="#949fab",
    button="#2c323a", button_text="#e6e9ed", disabled_text="#6f7883", border="#7a8594",
    highlight="#3370cc", highlight_text="#ffffff", link="#8ab4f8",
    tooltip_bg="#e6e9ed", tooltip_text="#1f2933",
    section_title="#a8c7f0",
    warning_fg="#ffe08a", warning_bg="#3b3000",
    error_fg="#ffb4ab", error_bg="#4a1c1a", error_border="#a8463f",
    signature_fg="#a5d6a7", signature_bg="#1c361f",
    addenda_fg="#e6e9ed", addenda_bg="#262c33",
    flag_fg="#ffe3a3", flag_bg="#4a3700", flag_mark="#f0a030",
    evidence_bg="#1f3a5c", pending="#a3adb8",
    recording="#ff8a80", paused="#ffb74d",
    meter_bg="#2c323a", meter_chunk="#66bb6a",
    speaker_clinician="#8ab4f8", speaker_patient="#f5b971", speaker_other="#c3cad2",
    status_active="#82b1ff", status_review="#d7a6e0", status_signed="#81c784",
    status_failed="#ff8a80", status_discarded="#aab2bb",
)

THEME_COLOURS = {LIGHT_NAME: LIGHT, DARK_NAME: DARK}

_SPEAKERS = ("speaker_clinician", "speaker_patient", "speaker_other")
_STATUSES = ("recording", "paused", "status_active", "status_review", "status_signed",
             "status_failed", "status_discarded")

TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("window_text", "window"), ("text", "base"), ("text", "alt_base"), ("muted", "window"),
    ("muted", "base"), ("placeholder", "base"), ("button_text", "button"),
    ("highlight_text", "highlight"), ("link", "base"), ("tooltip_text", "tooltip_bg"),
    ("section_title", "base"), ("warning_fg", "warning_bg"), ("error_fg", "error_bg"),
    ("signature_fg", "signature_bg"), ("addenda_fg", "addenda_bg"), ("flag_fg", "flag_bg"),
    ("text", "flag_bg"), ("text", "evidence_bg"), ("pending", "base"), ("recording", "window"),
    ("paused", "window"),
    *((s, bg) for s in _SPEAKERS for bg in ("base", "evidence_bg")),
    *((s, bg) for s in _STATUSES for bg in ("base", "alt_base")),
)
"""(text colour, background it is drawn on): each needs 4.5:1 (WCAG 2 AA, normal text)."""

MARK_PAIRS: tuple[tuple[str, str], ...] = (
    ("flag_mark", "base"), ("flag_mark", "flag_bg"), ("border", "base"), ("border", "window"),
    ("highlight", "base"), ("highlight", "window"), ("meter_chunk", "meter_bg"),
)
"""(mark, background): icons, bars and borders need 3:1 (WCAG 2 AA, non-text contrast)."""

UNCHECKED = ("disabled_text", "error_border")
"""Roles in neither table: WCAG exempts disabled controls; the banner's border is decoration (its
text is checked)."""

TEXT_MIN, MARK_MIN = 4.5, 3.0

_current = LIGHT
_system_font: QFont | None = None


def contrast(fg: str | QColor, bg: str | QColor) -> float:
    """WCAG 2 contrast ratio of two colours, from 1.0 (same) to 21.0 (black on white)."""
    a, b = _luminance(QColor(fg)), _luminance(QColor(bg))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def _luminance(c: QColor) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def current() -> Colours:
    """The colours of the theme in use."""
    return _current


def resolve(theme: str) -> Colours:
    """The colour table of ``theme``; ``system`` is the desktop's light or dark choice."""
    if theme in THEME_COLOURS:
        return THEME_COLOURS[theme]
    hints = QGuiApplication.styleHints()
    return DARK if hints.colorScheme() == Qt.ColorScheme.Dark else LIGHT


def palette(c: Colours) -> QPalette:
    """A full QPalette from the table (every group, so no style default leaks through)."""
    role = QPalette.ColorRole
    p = QPalette()
    for r, value in (
        (role.Window, c.window), (role.WindowText, c.window_text), (role.Base, c.base),
        (role.AlternateBase, c.alt_base), (role.Text, c.text), (role.Button, c.button),
        (role.ButtonText, c.button_text), (role.BrightText, c.error_fg),
        (role.Highlight, c.highlight), (role.HighlightedText, c.highlight_text),
        (role.Link, c.link), (role.LinkVisited, c.link), (role.ToolTipBase, c.tooltip_bg),
        (role.ToolTipText, c.tooltip_text), (role.PlaceholderText, c.placeholder),
        (role.Light, c.button), (role.Midlight, c.button), (role.Mid, c.border),
        (role.Dark, c.border), (role.Shadow, c.border),
    ):
        p.setColor(r, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText, role.PlaceholderText):
        p.setColor(disabled, r, QColor(c.disabled_text))
    p.setColor(disabled, role.Base, QColor(c.window))
    return p


def stylesheet(c: Colours, point_size: float) -> str:
    """The app's stylesheet: colours from ``c``, title sizes relative to the app font."""

    def pt(ratio: float) -> str:
        return f"{point_size * ratio:.1f}pt"

    return f"""
QLabel#viewTitle {{ font-size: {pt(1.45)}; font-weight: 600; }}
QLabel#subtitle, QLabel#paneTitle {{ color: {c.muted}; }}
QLabel#paneTitle {{ font-weight: 600; padding: 2px 0; }}
QLabel#sectionTitle {{ font-weight: 700; color: {c.section_title}; padding-top: 8px;
                       letter-spacing: 1px; }}
QLabel#elapsed {{ font-size: {pt(1.7)}; font-family: monospace; }}
QLabel#recState {{ color: {c.recording}; font-weight: 600; }}
QLabel#recState[paused="true"] {{ color: {c.paused}; }}
QLabel#warning {{ background: {c.warning_bg}; color: {c.warning_fg}; padding: 6px;
                  border-radius: 4px; }}
QLabel#error {{ background: {c.error_bg}; color: {c.error_fg}; padding: 6px;
                border-radius: 4px; }}
QLabel#signature {{ background: {c.signature_bg}; color: {c.signature_fg}; padding: 8px;
                    border-radius: 4px; font-weight: 600; }}
QLabel#addenda {{ background: {c.addenda_bg}; color: {c.addenda_fg}; padding: 8px;
                  border-radius: 4px; }}
QLabel#flagReason {{ background: {c.flag_bg}; color: {c.flag_fg}; padding: 4px 6px;
                     border-left: 3px solid {c.flag_mark}; }}
QLabel#emptyHint {{ color: {c.muted}; font-size: {pt(1.15)}; }}
QLabel#markFeedback {{ color: {c.muted}; }}
QWidget#banner {{ background: {c.error_bg}; border: 1px solid {c.error_border};
                  border-radius: 4px; }}
QWidget#banner QLabel {{ color: {c.error_fg}; }}
QWidget#notePage {{ background: {c.base}; }}
QPushButton {{ padding: 5px 12px; }}
QPushButton#primary, QPushButton#recordButton {{ font-weight: 600; }}
QPushButton#recordButton:enabled {{ color: {c.recording}; }}
QProgressBar#levelMeter {{ border: 1px solid {c.border}; border-radius: 3px;
                           background: {c.meter_bg}; }}
QProgressBar#levelMeter::chunk {{ background: {c.meter_chunk}; }}
QLineEdit, QTextEdit, QPlainTextEdit, QAbstractItemView {{ border: 1px solid {c.border};
                                                           border-radius: 3px; }}
QLineEdit:focus, QTextEdit:focus, QPlainTextEdit:focus, QAbstractItemView:focus {{
    border: 1px solid {c.highlight}; }}
QLineEdit:disabled {{ color: {c.disabled_text}; }}
QComboBox QLineEdit, QComboBox QLineEdit:focus {{ border: none; }}
QToolTip {{ color: {c.tooltip_text}; background: {c.tooltip_bg}; border: 1px solid {c.border}; }}
"""


def system_point_size() -> float:
    """The desktop's font size (before any zoom), remembered from the first call."""
    global _system_font
    if _system_font is None:
        _system_font = QFont(QGuiApplication.font())
    size = _system_font.pointSizeF()
    return size if size > 0 else 10.0


def clamp_zoom(zoom: float) -> float:
    return min(max(float(zoom), ZOOM_STEPS[0]), ZOOM_STEPS[-1])


def next_zoom(zoom: float, step: int) -> float:
    """The zoom one step bigger (``step`` 1) or smaller (-1) than ``zoom``."""
    if step > 0:
        return next((z for z in ZOOM_STEPS if z > zoom + 1e-6), ZOOM_STEPS[-1])
    return next((z for z in reversed(ZOOM_STEPS) if z < zoom - 1e-6), ZOOM_STEPS[0])


def apply(app: QApplication, theme: str = SYSTEM, zoom: float = 1.0) -> Colours:
    """Put ``theme`` and the system font scaled by ``zoom`` on the whole app; returns its colours."""
    global _current
    base = system_point_size()
    font = QFont(_system_font)
    font.setPointSizeF(base * clamp_zoom(zoom))
    _current = resolve(theme)
    # Each of these repolishes every live widget: skip what is already in place.
    pal = palette(_current)
    if app.palette() != pal:
        app.setPalette(pal)
    if app.font() != font:
        app.setFont(font)
    sheet = stylesheet(_current, font.pointSizeF())
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
    return _current


def roles() -> list[str]:
    """Every colour role of a theme table (the field names but ``name``)."""
    return [f.name for f in fields(Colours) if f.name != "name"]
