"""The workspace: one signed-in clinician's open store, audio vault, profile, settings and folders.

Everything a visit needs is reached through a :class:`Workspace` passed explicitly (the role Anki's
``Collection`` plays): no module-level key, no environment lookups inside the engines. This is the
one place that reads the environment (``SCRIBE_HOME``/``SCRIBE_MODELS`` through ``scribe.paths``,
``SCRIBE_PASSPHRASE`` and ``SCRIBE_CLINICIAN`` for the command line, ``SCRIBE_ASR_MODEL``).
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from scribe import paths
from scribe.audio.vault import AudioVault
from scribe.errors import AuthError
from scribe.security.profile import Profile
from scribe.speech.vocabulary import hotwords_for, load_user_words
from scribe.store.secure import AskPassphrase, open_store, unlock
from scribe.store.settings import Settings
from scribe.store.store import Store
from scribe.visit.engines import Engines
from scribe.visit.retention import purge_expired_audio

__all__ = ["Workspace", "passphrase_from_env"]

PASSPHRASE_ENV = "SCRIBE_PASSPHRASE"
CLINICIAN_ENV = "SCRIBE_CLINICIAN"
MODEL_ENV = "SCRIBE_ASR_MODEL"
"""Overrides the speech model setting (``tiny.en`` for tests and screenshots)."""
_NO_PASSPHRASE = (
    "No passphrase was given; set SCRIBE_PASSPHRASE or run scribe in a terminal to type it."
)


def passphrase_from_env(prompt: str = "Scribe passphrase: ", confirm: bool = False) -> str:
    """``SCRIBE_PASSPHRASE``, else asked on the terminal; AuthError when neither is possible."""
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise AuthError(_NO_PASSPHRASE)
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat the passphrase: ") != first:
        raise AuthError("The two passphrases differ; nothing was created.")
    return first


class Workspace:
    """An open installation: store, vault (audio + key), profile, settings, model store, folders."""

    def __init__(
        self,
        home: Path,
        store: Store,
        *,
        key: bytes | None = None,
        profile: Profile | None = None,
        models_root: Path | None = None,
    ) -> None:
        self.home = Path(home)
        self.store = store
        self.profile = profile
        self.vault = AudioVault(store.audio_dir or self.home / "audio", key)
        self.models_root = models_root or paths.models_dir()
        self.templates_dir = self.home / "templates"
        self.vocabulary_path = self.home / "vocabulary.txt"

    # --- opening ------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        home: Path | None = None,
        *,
        actor: str,
        passphrase: str | None = None,
        key: bytes | None = None,
        timeout: float = 5.0,
        ask: AskPassphrase | None = None,
    ) -> Workspace:
        """Sign in (creating the profile on a first start) and open the encrypted store.

        ``passphrase`` (the app's lock screen) or ``key`` (already unlocked) or ``ask`` (a prompt);
        by default the command line's ``SCRIBE_PASSPHRASE`` or terminal prompt. Audio past its
        retention period is deleted here, at sign-in.
        """
        home = home or paths.data_dir()
        if key is not None:
            profile = Profile.load(home)
            if profile is None:
                raise AuthError("No clinician profile exists here yet; create one first.")
        else:
            if passphrase is not None:
                def ask(_prompt: str, _confirm: bool, pw: str = passphrase) -> str:
                    return pw
            profile, key = unlock(home, ask or passphrase_from_env,
                                  os.environ.get(CLINICIAN_ENV, "Clinician"))
        store = open_store(home, key, actor, timeout)
        ws = cls(home, store, key=key, profile=profile)
        purge_expired_audio(store, ws.vault)
        return ws

    @classmethod
    def unencrypted(cls, home: Path, *, actor: str = "system") -> Workspace:
        """A plain-SQLite workspace with plain audio: for tests and tools, never the app."""
        home.mkdir(parents=True, exist_ok=True)
        return cls(home, Store.open(home / "scribe.db", actor=actor))

    def close(self) -> None:
        """Close the store and forget the key (closing twice is harmless)."""
        if self.vault.key is not None or self.profile is None:
            self.store.close()
        self.vault.key = None

    # --- what it holds ------------------------------------------------------------------------
    @property
    def key(self) -> bytes | None:
        return self.vault.key

    @property
    def settings(self) -> Settings:
        return self.store.settings

    def confirm(self, passphrase: str, what: str = "the note was not signed") -> None:
        """Raise AuthError unless ``passphrase`` is this clinician's (signing asks again)."""
        if self.profile is None or not self.profile.check(passphrase):
            raise AuthError(f"The passphrase is wrong; {what}.")

    def record_unlock(self, how: str) -> None:
        """Audit a sign-in or an unlock of the locked window (no patient text)."""
        self.store.record_event(None, "unlocked", how)

    def user_words(self) -> list[str]:
        return load_user_words(self.vocabulary_path)

    def engines(self, *, model: str | None = None, engine: str | None = None,
                device: str = "auto", label_speakers: bool = True) -> Engines:
        """The engines a visit is processed with: the arguments, else the clinician's settings."""
        s = self.settings
        return Engines(
            model=model or os.environ.get(MODEL_ENV) or s.asr_model,
            device=device,
            engine=engine or s.draft_engine,
            models_root=self.models_root,
            templates_dir=self.templates_dir,
            hotwords=hotwords_for(None, self.user_words()) or None,
            enrolment=s.voiceprint,
            label_speakers=label_speakers,
            key=self.key,
        )
