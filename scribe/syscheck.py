"""Missing system pieces, said as one sentence naming the package to install on this platform.

Scribe's Python dependencies come with it; three pieces come from the operating system and, when
absent, used to surface as a traceback or a Qt abort: PortAudio (recording and playback), an audio
server (PipeWire or PulseAudio, recording on Linux) and Qt's xcb platform libraries (the app's
window on an X11 desktop). The two entry points call :func:`check_cli` and :func:`check_app` first;
a piece the command cannot run without raises :class:`MissingSystemPackageError`, the others come
back as warnings. Nothing here imports Qt or sounddevice (measured: importing this module costs the
CLI about 3 ms, checking a command that does not record under a microsecond, one that records one
``dlopen``, about 8 ms). The entry points pass the environment in; only /etc/os-release is read here.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scribe.errors import ScribeError

__all__ = [
    "AUDIO_SERVER",
    "PACKAGES",
    "PORTAUDIO",
    "PORTAUDIO_SONAME",
    "QT_XCB",
    "RECORDING_COMMANDS",
    "X11_SOCKETS",
    "Finding",
    "MissingSystemPackageError",
    "Platform",
    "app_findings",
    "audio_server_finding",
    "audio_server_running",
    "check_app",
    "check_cli",
    "cli_findings",
    "missing_libraries",
    "package_for",
    "portaudio_finding",
    "qt_finding",
    "qt_platform",
    "xcb_plugin",
]

PORTAUDIO = "PortAudio"
AUDIO_SERVER = "audio server"
QT_XCB = "Qt xcb libraries"
RECORDING_COMMANDS = frozenset({"record"})
"""CLI commands that open the microphone; the others never load PortAudio."""

PORTAUDIO_SONAME = "libportaudio.so.2"

# soname -> (Debian/Ubuntu apt name, Fedora dnf name). The xcb plugin of Qt 6 and what it loads
# (PySide6's wheel carries Qt itself, not these X11 libraries); the ALSA plugins that route
# PortAudio to the audio server. A soname not listed here is named as it is.
PACKAGES: dict[str, tuple[str, str]] = {
    PORTAUDIO_SONAME: ("libportaudio2", "portaudio"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libasound_module_pcm_pulse.so": ("libasound2-plugins", "alsa-plugins-pulseaudio"),
}
_AUDIO_SERVER_PACKAGE = ("pipewire-pulse", "pipewire-pulseaudio")
_SONAME = re.compile(r"(lib[A-Za-z0-9_.+-]*?\.so(?:\.[0-9]+)*)\b")
_ALSA_ROUTES = ("libasound_module_pcm_pulse.so", "libasound_module_pcm_pipewire.so")
X11_SOCKETS = Path("/tmp/.X11-unix")
"""Where a local X server's sockets are (``:N`` is ``XN``)."""


class MissingSystemPackageError(ScribeError):
    """A system library or service Scribe needs is not installed; the message names the package."""


@dataclass(frozen=True)
class Finding:
    """One missing piece: what it is, the user's sentence, and whether the command cannot run."""

    piece: str
    sentence: str
    fatal: bool


@dataclass(frozen=True)
class Platform:
    """Which package manager's names to give: ``debian``, ``fedora``, ``macos``, ``windows`` or
    ``linux`` (another distribution: the library is named instead of a package)."""

    family: str

    @classmethod
    def detect(cls, os_release: Mapping[str, str] | None = None) -> Platform:
        """This computer's family; ``os_release`` (the fields of /etc/os-release) for tests."""
        if os_release is None:
            if sys.platform == "darwin":
                return cls("macos")
            if sys.platform == "win32":
                return cls("windows")
            try:
                os_release = platform.freedesktop_os_release()
            except OSError:
                os_release = {}
        ids = {os_release.get("ID", "").lower(), *os_release.get("ID_LIKE", "").lower().split()}
        if ids & {"debian", "ubuntu"}:
            return cls("debian")
        if ids & {"fedora", "rhel", "centos"}:
            return cls("fedora")
        return cls("linux")

    def install(self, packages: list[str]) -> str:
        """How to install ``packages`` here, e.g. ``libportaudio2 (sudo apt install libportaudio2)``."""
        names = " ".join(packages)
        if self.family == "debian":
            return f"{names} (sudo apt install {names})"
        if self.family == "fedora":
            return f"{names} (sudo dnf install {names})"
        return f"the package that provides {', '.join(packages)}"


def package_for(soname: str, plat: Platform) -> str:
    """The package that ships ``soname`` on ``plat`` (the soname itself when not known)."""
    names = PACKAGES.get(soname)
    if names is None or plat.family not in ("debian", "fedora"):
        return soname
    return names[0] if plat.family == "debian" else names[1]


# --- PortAudio -------------------------------------------------------------------------------------
def portaudio_finding(plat: Platform, *, fatal: bool, library: str = PORTAUDIO_SONAME
                      ) -> Finding | None:
    """None when PortAudio (``library``, the name sounddevice loads) loads; else the sentence
    naming its package."""
    if plat.family in ("macos", "windows"):
        import importlib.util

        # sounddevice's wheel carries PortAudio there (the _sounddevice_data package).
        if importlib.util.find_spec("_sounddevice_data") is not None:
            return None
        return Finding(PORTAUDIO, "The PortAudio library that ships with Scribe is missing, so it "
                       "cannot record or play audio; reinstall Scribe.", fatal)
    if _dlopen_error(library) is None:
        return None
    what = plat.install([package_for(PORTAUDIO_SONAME, plat)])
    if plat.family == "linux":
        what = f"your distribution's PortAudio package ({PORTAUDIO_SONAME})"
    return Finding(PORTAUDIO, f"The audio library PortAudio is not installed, so Scribe cannot "
                   f"record or play audio; install {what} and start Scribe again.", fatal)


# --- the audio server ------------------------------------------------------------------------------
def _server_sockets(environ: Mapping[str, str]) -> list[Path]:
    runtime = environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    found = [Path(runtime) / "pulse" / "native", Path(runtime) / "pipewire-0",
             Path("/run/pulse/native"), Path("/var/run/pulse/native")]
    if environ.get("PULSE_RUNTIME_PATH"):
        found.insert(0, Path(environ["PULSE_RUNTIME_PATH"]) / "native")
    return found


def audio_server_running(environ: Mapping[str, str]) -> bool:
    """Whether a PipeWire or PulseAudio server answers for this user (its socket exists).

    ``PULSE_SERVER`` wins when set: a ``unix:`` path must exist, a network server is trusted.
    """
    server = environ.get("PULSE_SERVER", "").split()
    if server:
        return any(not s.startswith("unix:") or Path(s[5:]).exists() for s in server)
    return any(p.exists() for p in _server_sockets(environ))


def _alsa_route_present() -> bool:
    """PortAudio (ALSA) reaches the server through ALSA's pulse or pipewire plugin."""
    roots = [*Path("/usr/lib").glob("*-linux-gnu*/alsa-lib"), Path("/usr/lib64/alsa-lib"),
             Path("/usr/lib/alsa-lib")]
    return any((root / name).exists() for root in roots for name in _ALSA_ROUTES)


def audio_server_finding(environ: Mapping[str, str], plat: Platform) -> Finding | None:
    """A warning (never fatal: PortAudio can still open an ALSA device directly) or None."""
    if plat.family in ("macos", "windows"):
        return None  # CoreAudio and WASAPI are part of the system
    if not audio_server_running(environ):
        names = list(_AUDIO_SERVER_PACKAGE)
        what = (plat.install([names[0] if plat.family == "debian" else names[1]])
                if plat.family in ("debian", "fedora") else "PipeWire or PulseAudio")
        return Finding(AUDIO_SERVER, "No audio server (PipeWire or PulseAudio) is running for "
                       f"this user, so recording may find no microphone; install {what} and sign "
                       "in to a desktop session.", False)
    if not _alsa_route_present():
        what = plat.install([package_for("libasound_module_pcm_pulse.so", plat)])
        return Finding(AUDIO_SERVER, "The ALSA plugin that connects PortAudio to the audio server "
                       f"is missing, so recording may find no microphone; install {what}.", False)
    return None


# --- Qt's platform libraries -----------------------------------------------------------------------
def qt_platform(environ: Mapping[str, str]) -> str:
    """The platform plugin Qt will load first: ``QT_QPA_PLATFORM``, else wayland or xcb."""
    requested = environ.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        return requested.split(";")[0].split(":")[0]
    if environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def xcb_plugin() -> Path | None:
    """Where PySide6's wheel keeps ``libqxcb.so``, found without importing PySide6; None when
    PySide6 is absent or not laid out as its wheel (a distribution's PySide6 keeps Qt elsewhere)."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return qt / "plugins" / "platforms" / "libqxcb.so" if qt.is_dir() else None


def _dlopen_error(name: str) -> str | None:
    """None when ``name`` loads (with everything it needs); else the dynamic loader's message."""
    import ctypes

    try:
        ctypes.CDLL(name)
    except OSError as e:
        # A frozen app's ctypes (PyInstaller) raises its own error from the loader's.
        return str(e.__cause__ if isinstance(e.__cause__, OSError) else e)
    return None


def _culprit(error: str) -> str:
    """The file the loader could not load: ``NAME: cannot open…`` or ``/PATH: file too short``."""
    return error.split(": ", 1)[0].strip()


def missing_libraries(library: Path, error: str) -> list[str]:
    """The sonames ``library`` needs and cannot load: every one ``ldd`` lists as not found, else
    the one the loader named in ``error`` (a file that is there but unreadable)."""
    found: list[str] = []
    ldd = shutil.which("ldd")
    if ldd:
        try:
            out = subprocess.run([ldd, str(library)], capture_output=True, text=True, timeout=10,
                                 check=False)
            found = [line.split()[0] for line in out.stdout.splitlines() if "=> not found" in line]
        except (OSError, subprocess.SubprocessError):
            pass
    if not found:
        found = [m for m in _SONAME.findall(Path(_culprit(error)).name) if m != library.name][:1]
    return list(dict.fromkeys(found))


def qt_finding(environ: Mapping[str, str], plat: Platform) -> Finding | None:
    """Fatal when the window cannot open on X11: a missing system library (named with its
    package), a damaged copy of Scribe's own Qt, no display or a local one with no X server.
    None elsewhere (offscreen, Wayland, macOS, Windows)."""
    if not sys.platform.startswith("linux") or qt_platform(environ) != "xcb":
        return None
    plugin = xcb_plugin()
    if plugin is not None:
        reinstall = Finding(QT_XCB, "Qt's X11 platform plugin that ships with Scribe is missing or "
                            "damaged; reinstall Scribe.", True)
        if not plugin.is_file():
            return reinstall
        error = _dlopen_error(str(plugin))
        if error:
            # A file of Scribe's own (the wheel's Qt, a frozen app's folder) cannot be fixed by a
            # system package.
            own = [str(plugin.parents[3]), getattr(sys, "_MEIPASS", None) or str(plugin.parents[3])]
            culprit = _culprit(error)
            if culprit.startswith("/") and any(culprit.startswith(root + "/") for root in own):
                return reinstall
            missing = missing_libraries(plugin, error)
            if not missing:
                return reinstall
            packages = list(dict.fromkeys(package_for(s, plat) for s in missing))
            several = len(missing) > 1
            return Finding(QT_XCB, "The app cannot open its window because the system "
                           f"{'libraries' if several else 'library'} {', '.join(missing)} "
                           f"{'are' if several else 'is'} missing or damaged; install "
                           f"{plat.install(packages)} and start Scribe again.", True)
    display = environ.get("DISPLAY", "")
    if not display:
        return Finding(QT_XCB, "The app found no display to open its window on (DISPLAY is not "
                       "set); start it from a desktop session.", True)
    local = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    if local and not (X11_SOCKETS / f"X{local[1]}").exists():  # Qt would abort, blaming xcb-cursor
        return Finding(QT_XCB, f"The app cannot reach the display {display} (no X server runs "
                       "there); start it from a desktop session.", True)
    return None


# --- the two entry points ----------------------------------------------------------------------------
def cli_findings(command: str, environ: Mapping[str, str], plat: Platform | None = None
                 ) -> list[Finding]:
    """What ``scribe COMMAND`` lacks: only commands that record need PortAudio and a server."""
    if command not in RECORDING_COMMANDS:
        return []
    plat = plat or Platform.detect()
    found = [portaudio_finding(plat, fatal=True), audio_server_finding(environ, plat)]
    return [f for f in found if f is not None]


def app_findings(environ: Mapping[str, str], plat: Platform | None = None) -> list[Finding]:
    """What the app lacks: Qt's window libraries are fatal; audio only disables recording."""
    plat = plat or Platform.detect()
    found = [qt_finding(environ, plat), portaudio_finding(plat, fatal=False)]
    if found[1] is None:  # without PortAudio, the server's absence is the lesser news
        found.append(audio_server_finding(environ, plat))
    return [f for f in found if f is not None]


def _raise_fatal(findings: list[Finding]) -> list[str]:
    for f in findings:
        if f.fatal:
            raise MissingSystemPackageError(f.sentence)
    return [f.sentence for f in findings]


def check_cli(command: str, environ: Mapping[str, str]) -> list[str]:
    """Raise :class:`MissingSystemPackageError` when ``command`` cannot run; return warnings."""
    return _raise_fatal(cli_findings(command, environ))


def check_app(environ: Mapping[str, str]) -> list[str]:
    """Raise :class:`MissingSystemPackageError` when the app cannot start; return warnings."""
    return _raise_fatal(app_findings(environ))
