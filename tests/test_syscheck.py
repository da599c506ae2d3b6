"""Missing system packages are one sentence naming the package (scribe/syscheck.py).

The faults are real where they can be: a library is hidden in a private mount namespace
(``unshare -m`` + ``mount --bind /dev/null`` over it, as root) and the real entry points run in it.
Those tests skip without unshare/mount or root, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from scribe import syscheck
from scribe.syscheck import Platform

BIN = Path(sys.executable).parent
LIBDIR = Path("/usr/lib/x86_64-linux-gnu")
DEBIAN = Platform("debian")
FEDORA = Platform("fedora")


def _namespace_or_skip() -> None:
    reason = None
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        reason = "needs root on Linux to hide a library in a mount namespace"
    elif not (shutil.which("unshare") and shutil.which("mount")):
        reason = "unshare/mount are not installed (util-linux, mount)"
    elif subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        reason = "mount namespaces are not allowed here"
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"cannot hide a library under CI: {reason}")
        pytest.skip(reason)


def _hidden(soname: str) -> Path:
    """The real file behind ``soname`` (a bind mount over it makes the loader refuse it)."""
    path = LIBDIR / soname
    if not path.exists():
        pytest.skip(f"{soname} is not installed here, so there is nothing to hide")
    return path.resolve()


def _run_hiding(library: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run ``script`` (sh) in a private mount namespace where ``library`` reads as an empty file."""
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", f'mount --bind /dev/null "{library}" && {script}'],
        capture_output=True, text=True, env=env, timeout=60,
    )


def _one_sentence(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


# --- real faults, real entry points -----------------------------------------------------------------
def test_record_without_portaudio_names_its_package(scribe_home):
    _namespace_or_skip()
    library = _hidden(syscheck.PORTAUDIO_SONAME)
    env = dict(os.environ, SCRIBE_HOME=str(scribe_home))
    out = _run_hiding(library, f'exec "{BIN}/scribe" record --seconds 1 --consent', env)
    sentence = _one_sentence(out.stderr)
    assert out.returncode == 1, out.stderr
    assert sentence.startswith("scribe: The audio library PortAudio is not installed"), sentence
    assert "install libportaudio2 (sudo apt install libportaudio2)" in sentence, sentence
    assert not (scribe_home / "audio").exists()  # refused before anything was opened


def test_app_without_xcb_cursor_names_its_package(tmp_path):
    _namespace_or_skip()
    library = _hidden("libxcb-cursor.so.0")
    env = dict(os.environ, SCRIBE_HOME=str(tmp_path / "home"), DISPLAY=":99",
               QT_QPA_PLATFORM="xcb", LANG="C.UTF-8")
    env.pop("WAYLAND_DISPLAY", None)
    out = _run_hiding(library, f'exec "{BIN}/scribe-app"', env)
    sentence = _one_sentence(out.stderr)
    # Without the check, Qt prints its plugin diagnostics and aborts (SIGABRT, a core dump).
    assert out.returncode == 1, out.stderr
    assert sentence.startswith("scribe-app: The app cannot open its window"), sentence
    assert "libxcb-cursor.so.0" in sentence and "sudo apt install libxcb-cursor0" in sentence


def test_a_damaged_qt_plugin_of_our_own_asks_for_a_reinstall_not_a_package(tmp_path):
    _namespace_or_skip()
    plugin = syscheck.xcb_plugin()
    if plugin is None or not plugin.is_file():
        pytest.skip("PySide6's wheel (with its xcb plugin) is not installed")
    check = ("from scribe import syscheck; f = syscheck.qt_finding("
             "{'QT_QPA_PLATFORM': 'xcb', 'DISPLAY': ':99'}, syscheck.Platform('debian')); "
             "print(f.sentence if f else 'none')")
    out = _run_hiding(plugin.resolve(), f'exec "{sys.executable}" -c "{check}"', dict(os.environ))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ("Qt's X11 platform plugin that ships with Scribe is missing or "
                                  "damaged; reinstall Scribe.")


def test_the_cli_check_loads_neither_qt_nor_audio_libraries():
    code = ("import sys, os; from scribe import syscheck; syscheck.check_cli('list', os.environ); "
            "print(sorted(m for m in ('PySide6', 'sounddevice', 'ctypes') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --- the sentence for each platform --------------------------------------------------------------
@pytest.mark.parametrize(("os_release", "family"), [
    ({"ID": "debian"}, "debian"),
    ({"ID": "ubuntu", "ID_LIKE": "debian"}, "debian"),
    ({"ID": "linuxmint", "ID_LIKE": "ubuntu debian"}, "debian"),
    ({"ID": "fedora"}, "fedora"),
    ({"ID": "rocky", "ID_LIKE": "rhel centos fedora"}, "fedora"),
    ({"ID": "arch"}, "linux"),
    ({}, "linux"),
])
def test_platform_family_from_os_release(os_release, family):
    assert Platform.detect(os_release).family == family


@pytest.mark.parametrize(("plat", "wanted"), [
    (DEBIAN, "install libportaudio2 (sudo apt install libportaudio2) and start Scribe again."),
    (FEDORA, "install portaudio (sudo dnf install portaudio) and start Scribe again."),
    (Platform("linux"), "install your distribution's PortAudio package (libportaudio.so.2)"),
])
def test_missing_portaudio_sentence_per_platform(plat, wanted):
    # A library name the loader really cannot find: the same failure as an uninstalled package.
    found = syscheck.portaudio_finding(plat, fatal=True, library="libportaudio-absent.so.2")
    assert found is not None and found.fatal
    assert wanted in found.sentence, found.sentence
    assert found.sentence.count(";") == 1 and found.sentence.endswith(".")


def test_installed_portaudio_is_not_reported():
    if not (LIBDIR / syscheck.PORTAUDIO_SONAME).exists():
        pytest.skip("PortAudio is not installed here")
    assert syscheck.portaudio_finding(DEBIAN, fatal=True) is None


@pytest.mark.parametrize(("soname", "debian", "fedora"), [
    ("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    ("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    ("libEGL.so.1", "libegl1", "libglvnd-egl"),
    ("libfoo.so.3", "libfoo.so.3", "libfoo.so.3"),  # unknown: named as it is
])
def test_library_to_package(soname, debian, fedora):
    assert syscheck.package_for(soname, DEBIAN) == debian
    assert syscheck.package_for(soname, FEDORA) == fedora


# --- the audio server: a warning for recording only ------------------------------------------------
@pytest.fixture
def listening_socket(tmp_path):
    path = tmp_path / "native"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    yield path
    server.close()


def test_a_running_server_is_found_through_pulse_server(listening_socket, tmp_path):
    env = {"PULSE_SERVER": f"unix:{listening_socket}", "XDG_RUNTIME_DIR": str(tmp_path / "empty")}
    assert syscheck.audio_server_running(env)
    if (LIBDIR / "alsa-lib" / "libasound_module_pcm_pulse.so").exists():
        assert syscheck.cli_findings("record", env, DEBIAN) == []


def test_no_server_warns_before_recording_and_never_blocks(tmp_path):
    if any(Path(p).exists() for p in ("/run/pulse/native", "/var/run/pulse/native")):
        pytest.skip("a system-wide PulseAudio runs here")
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}  # a runtime folder with no server socket in it
    found = [f for f in syscheck.cli_findings("record", env, DEBIAN) if f.piece != syscheck.PORTAUDIO]
    assert [f.piece for f in found] == [syscheck.AUDIO_SERVER]
    assert not found[0].fatal
    assert "install pipewire-pulse (sudo apt install pipewire-pulse)" in found[0].sentence
    gone = {"PULSE_SERVER": f"unix:{tmp_path / 'gone'}", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert not syscheck.audio_server_running(gone)  # a server named but not there
    assert syscheck.cli_findings("list", env, DEBIAN) == []  # no audio needed, nothing said
    assert syscheck.check_cli("transcribe", env) == []


# --- Qt: which platform plugin is checked -------------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux's")
def test_no_display_is_one_sentence_not_a_qt_abort():
    if syscheck.xcb_plugin() is None:
        pytest.skip("PySide6's xcb plugin is not installed")
    found = syscheck.qt_finding({"QT_QPA_PLATFORM": "xcb"}, DEBIAN)
    if found is not None and "missing" in found.sentence:
        pytest.skip(f"this machine lacks Qt's X11 libraries: {found.sentence}")
    assert found is not None and found.fatal
    assert found.sentence == ("The app found no display to open its window on (DISPLAY is not "
                              "set); start it from a desktop session.")
    with pytest.raises(syscheck.MissingSystemPackageError, match="no display"):
        syscheck.check_app({"QT_QPA_PLATFORM": "xcb", "PULSE_SERVER": "tcp:localhost"})
    # A local display where no X server listens: Qt would abort blaming xcb-cursor.
    n = next(n for n in range(900, 1000) if not (syscheck.X11_SOCKETS / f"X{n}").exists())
    found = syscheck.qt_finding({"QT_QPA_PLATFORM": "xcb", "DISPLAY": f":{n}"}, DEBIAN)
    assert found is not None and found.fatal
    assert found.sentence == (f"The app cannot reach the display :{n} (no X server runs there); "
                              "start it from a desktop session.")
    assert syscheck.qt_finding({"QT_QPA_PLATFORM": "xcb", "DISPLAY": "remote:10"}, DEBIAN) is None


@pytest.mark.parametrize(("env", "platform_name"), [
    ({"QT_QPA_PLATFORM": "offscreen"}, "offscreen"),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, "wayland"),
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "wayland"),
    ({"DISPLAY": ":0"}, "xcb"),
    ({"QT_QPA_PLATFORM": "xcb:display=:1"}, "xcb"),
])
def test_the_plugin_qt_will_load(env, platform_name):
    assert syscheck.qt_platform(env) == platform_name
    if platform_name != "xcb":
        assert syscheck.qt_finding(env, DEBIAN) is None  # nothing of X11 is needed
