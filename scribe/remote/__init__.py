"""Clients for a clinic's OpenAI-compatible servers (issue 17): transcription and chat.

Local engines stay the default; these are used only for the hosts IT configured, and every
request is announced to an audit hook before its first byte leaves. See :mod:`scribe.remote.wire`.
"""

from scribe.remote.wire import ClinicServer, Endpoint, RemoteError, RequestHook, is_loopback

__all__ = ["ClinicServer", "Endpoint", "RemoteError", "RequestHook", "is_loopback"]
