"""scribe passphrase: change the passphrase and rotate the data key (database and every audio file).

Asks for the current passphrase, then the new one twice; for automation ``SCRIBE_PASSPHRASE`` is
the current one and ``SCRIBE_NEW_PASSPHRASE`` the new one. Old copies of ``profile.json`` opened
with the old passphrase unlock nothing afterwards.
"""

from __future__ import annotations

from scribe.visit.workspace import Workspace, new_passphrase_from_env, passphrase_from_env


def register(sub) -> None:
    p = sub.add_parser("passphrase", help="change your passphrase (the data is re-encrypted)")
    p.set_defaults(func=run_passphrase)


def run_passphrase(args) -> int:  # noqa: ARG001 - no options
    old = passphrase_from_env("Current passphrase: ")
    ws = Workspace.open(actor="cli", passphrase=old)
    try:
        ws.change_passphrase(old, new_passphrase_from_env())
    finally:
        ws.close()
    print("Passphrase changed: your data is under a new key, and old copies of the profile open "
          "nothing with the old passphrase.")
    return 0
