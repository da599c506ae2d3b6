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
from scribe.errors import AuthError, ScribeError
from scribe.security.profile import Profile, check_new_passphrase
from scribe.speakers import profiles_from_json
from scribe.speech.vocabulary import hotwords_for, load_user_words
from scribe.store.secure import AskPassphrase, change_passphrase, open_store, unlock
from scribe.store.settings import Setting, Settings
from scribe.store.store import Store
from scribe.visit.engines import Engines, language_code
from scribe.visit.retention import purge_expired_audio
from scribe.visit.server import SERVER_ENGINE, clinic_server

__all__ = ["Workspace", "clinician_actor", "new_passphrase_from_env", "passphrase_from_env"]

PASSPHRASE_ENV = "SCRIBE_PASSPHRASE"
NEW_PASSPHRASE_ENV = "SCRIBE_NEW_PASSPHRASE"
"""The new passphrase for ``scribe passphrase`` run without a terminal."""
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
    try:
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat the passphrase: ") != first:
            raise AuthError("The two passphrases differ; nothing was created.")
    except EOFError:  # Ctrl-D, or the input closed, at the prompt
        raise AuthError("No passphrase was typed; nothing was opened.") from None
    return first


def new_passphrase_from_env() -> str:
    """``SCRIBE_NEW_PASSPHRASE``, else typed twice on the terminal (``scribe passphrase``)."""
    env = os.environ.get(NEW_PASSPHRASE_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise AuthError(f"No new passphrase was given; set {NEW_PASSPHRASE_ENV} or run scribe in "
                        "a terminal to type it.")
    try:
        first = getpass.getpass("New passphrase: ")
        check_new_passphrase(first)  # said before it is typed twice
        if getpass.getpass("Repeat the new passphrase: ") != first:
            raise AuthError("The two new passphrases differ; the passphrase was not changed.")
    except EOFError:
        raise AuthError("No passphrase was typed; the passphrase was not changed.") from None
    return first


def clinician_actor(channel: str, profile: Profile | None) -> str:
    """Who the audit trail names: ``"<channel>:<signer>"``, e.g. ``"cli:Ada Lovelace, MD"``.

    The channel (``cli``, ``app``) stays first; the person is the signed-in profile's signer (the
    clinician's own name and credentials, never patient text), on one line.
    """
    who = " ".join(profile.signer.split()) if profile is not None else ""
    return f"{channel}:{who}" if who else channel


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
        self._closed = False

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
        record_sign_in: bool = False,
    ) -> Workspace:
        """Sign in (creating the profile on a first start) and open the encrypted store.

        ``passphrase`` (the app's lock screen) or ``key`` (already unlocked) or ``ask`` (a prompt);
        by default the command line's ``SCRIBE_PASSPHRASE`` or terminal prompt. Wrong passphrases
        kept since the last sign-in are audited here (and the sign-in after them; every sign-in
        with ``record_sign_in``, as the app does). ``actor`` is the
        channel (``"cli"``, ``"app"``); the audit trail names it with the signed-in clinician
        (:func:`clinician_actor`). Audio past its retention period is deleted here, at sign-in.
        """
        home = home or paths.data_dir()
        signed_in_by_typing = key is None
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
        store = open_store(home, key, clinician_actor(actor, profile), timeout)
        paths.make_private(Path(home))  # an older install's 0755/0644 becomes 0700/0600
        ws = cls(home, store, key=key, profile=profile)
        ws.audit_sign_in(always=record_sign_in and signed_in_by_typing)
        purge_expired_audio(store, ws.vault)
        return ws

    @classmethod
    def unencrypted(cls, home: Path, *, actor: str = "system") -> Workspace:
        """A plain-SQLite workspace with plain audio: for tests and tools, never the app."""
        home.mkdir(parents=True, exist_ok=True)
        return cls(home, Store.open(home / "scribe.db", actor=actor))

    def close(self) -> None:
        """Close the store and forget the key (closing twice is harmless)."""
        if not self._closed:
            self._closed = True
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
        """Raise AuthError unless ``passphrase`` is this clinician's (signing asks again).

        The same waits after wrong passphrases as at sign-in apply (one count for both)."""
        if self.profile is None:
            raise AuthError(f"No clinician is signed in, so {what}.")
        self.profile.verify(passphrase, "signature", f"The passphrase is wrong and {what}")

    def unlock_screen(self, passphrase: str) -> None:
        """The locked window's passphrase: AuthError (wrong, or wait) else audited unlock."""
        if self.profile is None:
            raise AuthError("No clinician is signed in; restart Scribe.")
        self.profile.verify(passphrase, "lock screen")
        self.audit_failures()
        self.record_unlock("lock screen")

    def audit_failures(self) -> bool:
        """Write the wrong passphrases kept in the attempts file (when, where; never the text)
        to the audit trail, now that it is unlocked; True when there were any."""
        if self.profile is None:
            return False
        attempts = self.profile.attempts
        failures, dropped = attempts.pending()
        for f in failures:
            self.store.record_event(None, "sign-in failed", f"{f.how} at {f.at}")
        if dropped:
            self.store.record_event(None, "sign-in failed", f"{dropped} more not kept one by one")
        if failures or dropped:
            attempts.clear_pending()
            return True
        return False

    def audit_sign_in(self, always: bool = False) -> None:
        """At sign-in: the failures since the last one, then the sign-in that ended them (every
        sign-in when ``always``: the app; each CLI command audits its own action instead)."""
        if self.audit_failures() or always:
            self.record_unlock("sign-in")

    def change_passphrase(self, old: str, new: str) -> None:
        """A new passphrase and a new data key for the database and every audio file.

        Old copies of ``profile.json`` with the old passphrase open nothing afterwards (see
        :func:`scribe.store.secure.change_passphrase` for the crash-safe order)."""
        if self.profile is None or self.key is None:
            raise AuthError("This workspace has no passphrase to change.")
        self.vault.key = change_passphrase(self.home, self.store.db.conn, self.profile, old, new)
        self.store.record_event(None, "passphrase changed", "data key rotated")

    def record_unlock(self, how: str) -> None:
        """Audit a sign-in or an unlock of the locked window (no patient text)."""
        self.store.record_event(None, "unlocked", how)

    def user_words(self) -> list[str]:
        return load_user_words(self.vocabulary_path)

    def engines(self, *, model: str | None = None, engine: str | None = None,
                device: str = "auto", label_speakers: bool = True,
                use_server: bool = True, language: str | None = None,
                translate: bool | None = None) -> Engines:
        """The engines a visit is processed with: the arguments, else the clinician's settings.

        A clinic server IT configured is used unless ``use_server`` is False: its transcription
        endpoint for the full pass, its chat endpoint (engine ``server``) for drafting unless
        an ``engine`` is asked for by name. ``language``: a Whisper code or ``auto`` (InputError
        for one Scribe does not offer); ``translate``: draft a visit in another language in
        English. Without them, the record panel's last choice (a stored value Scribe no longer
        offers reads as English)."""
        s = self.settings
        if language is None:
            try:
                code = language_code(s.default_language)
            except ScribeError:
                code = "en"
        else:
            code = language_code(language)
        server = clinic_server(s) if use_server else None
        if engine is None and server is not None and server.chat is not None:
            engine = SERVER_ENGINE
        return Engines(
            server=server,
            model=model or os.environ.get(MODEL_ENV) or s.asr_model,
            device=device,
            engine=engine or s.draft_engine,
            models_root=self.models_root,
            templates_dir=self.templates_dir,
            hotwords=hotwords_for(None, self.user_words()) or None,
            enrolment=s.voiceprint,
            label_speakers=label_speakers,
            key=self.key,
            voice_profiles=tuple(profiles_from_json(s.text(Setting.VOICE_PROFILES))),
            language=code,
            translate=s.draft_in_english if translate is None else translate,
        )
