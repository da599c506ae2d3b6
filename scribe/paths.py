"""Where Scribe keeps its data: ``SCRIBE_HOME`` or the platform's user data directory.

Everything Scribe keeps is private to the user: folders 0700, files 0600 (``PRIVATE_DIR``,
``PRIVATE_FILE``). The two entry points set ``umask(0o077)`` so every file any library makes is born
private; the folders here are also made 0700 explicitly, and :func:`make_private` tightens an install
an older version left at 0755/0644 (the workspace runs it at sign-in). POSIX only: Windows has no
such modes (a user's data folder is private by its ACL), so nothing is changed there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
POSIX = os.name == "posix"
"""Whether file modes mean anything here (not on Windows)."""


def private_umask() -> None:
    """Make every file and folder this process creates private to the user (0600/0700).

    The first line of each entry point (``scribe.cli.main``, ``ui.app.main``): it covers what any
    library writes (SQLite's database and its -wal/-shm, exports, sidecars). POSIX only.
    """
    if POSIX:
        os.umask(0o077)


def private_dir(path: Path) -> Path:
    """``path`` made (with its parents) and set to 0700; an existing folder is tightened too."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if POSIX:
        try:
            if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR:
                os.chmod(path, PRIVATE_DIR)
        except OSError:
            pass  # not ours (a shared folder): its owner decides
    return path


def make_private(root: Path, skip: tuple[Path, ...] = ()) -> int:
    """Tighten every folder under ``root`` (itself included) to 0700 and every file to 0600.

    For an install made before Scribe kept its files private. Links are not followed; folders in
    ``skip`` (a model store shared by several data folders) are left alone. Returns how many
    modes were changed.
    """
    if not POSIX or not root.is_dir():
        return 0
    skipped = {os.path.realpath(p) for p in skip}
    changed = 0
    for here, dirs, files in os.walk(root, followlinks=False):
        if os.path.realpath(here) in skipped:
            dirs[:] = []
            continue
        for name, mode in [(here, PRIVATE_DIR)] + [(os.path.join(here, f), PRIVATE_FILE)
                                                     for f in files]:
            try:
                st = os.lstat(name)
                if stat.S_ISLNK(st.st_mode) or stat.S_IMODE(st.st_mode) == mode:
                    continue
                os.chmod(name, mode)
                changed += 1
            except OSError:
                continue  # gone meanwhile, or not ours
    return changed


def data_dir() -> Path:
    env = os.environ.get("SCRIBE_HOME")
    root = Path(env).expanduser() if env else Path(platformdirs.user_data_dir("Scribe", "Scribe"))
    return private_dir(root)


def models_dir() -> Path:
    """The model store; ``SCRIBE_MODELS`` may point several data directories at one store."""
    env = os.environ.get("SCRIBE_MODELS")
    return Path(env).expanduser() if env else data_dir() / "models"


def audio_dir() -> Path:
    return private_dir(data_dir() / "audio")


def templates_dir() -> Path:
    return data_dir() / "templates"


def db_path() -> Path:
    return data_dir() / "scribe.db"


def sync_folder(folder: Path) -> None:
    """fsync a folder, so a file just created or renamed in it survives a power cut (a no-op where
    folders cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically: a 0600 temporary file beside it, fsynced, renamed
    over it, the folder synced (a crash leaves the old file or the new one, never half)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # a leftover temporary file may have had another mode
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    sync_folder(path.parent)
