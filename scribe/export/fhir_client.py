"""POST a FHIR resource to the clinic's endpoint: TLS verified, no proxy, no redirects.

Delivery to a FHIR server is an explicit IT setting, off by default; this module only does the
POST it is asked for. The rules it keeps: plain ``http://`` is refused before any connection unless
the host is this machine (loopback), the server's certificate is verified (against ``ca_file`` when
the clinic runs its own CA), the environment's proxies are not used and redirects are not followed
(either could carry the bearer token and the note to another host), and every failure is one
sentence that may name the host but never the document or the token.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from scribe.errors import ScribeError
from scribe.remote.wire import NoRedirect, is_loopback

__all__ = ["FhirPostError", "post_document"]

FHIR_JSON = "application/fhir+json"


class FhirPostError(ScribeError):
    """The FHIR endpoint could not be reached, was not trusted, or refused the document."""


def post_document(url: str, body: str, *, token: str = "", ca_file: str | None = None,
                  timeout: float = 10.0) -> str:
    """POST ``body`` (FHIR JSON) to ``url``; returns the server's ``Location`` (or the new
    resource's id when it sends none, or "" when it sends neither).

    Args:
        token: a bearer token for the ``Authorization`` header ("" sends none).
        ca_file: a PEM file of the CA that signed the server's certificate (None: the system's).
        timeout: seconds to wait for the connection and for each read.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname or ""
    except ValueError:
        host = ""
    if scheme not in ("http", "https") or not host:
        raise FhirPostError("The FHIR endpoint must be an https:// address; nothing was sent.")
    if scheme == "http" and not is_loopback(host):
        raise FhirPostError(f"The FHIR endpoint {host} must use https://; nothing was sent.")
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({}), NoRedirect()]
    if scheme == "https":
        try:
            context = ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError):
            raise FhirPostError("The CA file for the FHIR endpoint cannot be read; nothing was "
                                "sent.") from None
        handlers.append(urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, data=body.encode("utf-8"), method="POST")
    request.add_header("Content-Type", f"{FHIR_JSON}; charset=utf-8")
    request.add_header("Accept", FHIR_JSON)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=timeout) as response:
            location = response.headers.get("Location") or response.headers.get("Content-Location")
            answer = response.read()
    except urllib.error.HTTPError as e:
        e.close()  # its body may echo the document: never read into a message
        raise FhirPostError(f"The FHIR server at {host} refused the document (HTTP {e.code}).") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
        raise FhirPostError(_failure(host, getattr(e, "reason", e), timeout)) from None
    return location or _resource_id(answer)


def _failure(host: str, reason: object, timeout: float) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (f"The FHIR server at {host} did not present a certificate this workstation "
                "trusts; nothing was sent.")
    if isinstance(reason, ssl.SSLError):
        return f"A secure connection to the FHIR server at {host} failed; nothing was sent."
    if isinstance(reason, ConnectionRefusedError):
        return f"The FHIR server at {host} refused the connection; check the endpoint address."
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return (f"The FHIR server at {host} did not answer within {timeout:g} seconds; check "
                "whether the document was filed before sending it again.")
    return f"The FHIR server at {host} could not be reached; check the network and the address."


def _resource_id(answer: bytes) -> str:
    try:
        resource = json.loads(answer)
    except ValueError:
        return ""
    if isinstance(resource, dict) and isinstance(resource.get("id"), str):
        rtype = resource.get("resourceType")
        return f"{rtype}/{resource['id']}" if isinstance(rtype, str) else resource["id"]
    return ""
