"""POST to a FHIR endpoint, against real servers on this machine (plain HTTP and real TLS)."""

from __future__ import annotations

import socket

import pytest

from scribe.export.fhir_client import FhirPostError, post_document
from tests.http_peers import tls_context

BODY = '{"resourceType": "DocumentReference", "subject": "Jane Doe, MRN 0042, café"}'
TOKEN = "s3cret-bearer-token"


def _assert_one_clean_sentence(error: FhirPostError) -> None:
    message = str(error)
    assert message.endswith(".") and message.count(". ") == 0 and "\n" not in message
    assert TOKEN not in message and "Jane" not in message and "DocumentReference" not in message


def test_a_201_returns_the_location_and_the_body_arrives_intact(serve):
    server, url = serve(201, {"Location": "http://127.0.0.1/fhir/DocumentReference/7/_history/1"})
    location = post_document(url + "/DocumentReference", BODY, token=TOKEN)
    assert location == "http://127.0.0.1/fhir/DocumentReference/7/_history/1"
    [(path, headers, body)] = server.received
    assert path == "/fhir/DocumentReference"
    assert body.decode("utf-8") == BODY
    assert headers["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert headers["Authorization"] == f"Bearer {TOKEN}"


def test_without_a_location_the_new_resource_id_is_returned_and_no_token_is_sent(serve):
    server, url = serve(201, {"Content-Type": "application/fhir+json"},
                        b'{"resourceType": "DocumentReference", "id": "abc"}')
    assert post_document(url, BODY) == "DocumentReference/abc"
    assert "Authorization" not in server.received[0][1]


def test_a_server_error_is_one_sentence_naming_the_status(serve):
    _, url = serve(500, body=b'{"issue": "Jane Doe could not be filed"}')
    with pytest.raises(FhirPostError, match=r"^The FHIR server at 127\.0\.0\.1 refused the "
                                            r"document \(HTTP 500\)\.$") as err:
        post_document(url, BODY, token=TOKEN)
    _assert_one_clean_sentence(err.value)


def test_a_redirect_is_not_followed(serve):
    other, other_url = serve(201)
    _, url = serve(303, {"Location": other_url})
    with pytest.raises(FhirPostError, match="HTTP 303") as err:
        post_document(url, BODY, token=TOKEN)
    _assert_one_clean_sentence(err.value)
    assert other.received == []  # neither the note nor the token went elsewhere


def test_the_environment_proxy_is_not_used(serve, monkeypatch):
    server, url = serve(201, {"Location": "x"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{dead}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert post_document(url, BODY) == "x"
    assert len(server.received) == 1


def test_a_refused_port_is_one_sentence():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FhirPostError, match="refused the connection") as err:
        post_document(f"http://127.0.0.1:{port}/fhir", BODY, token=TOKEN)
    _assert_one_clean_sentence(err.value)


def test_a_server_that_never_answers_times_out_in_one_sentence():
    with socket.socket() as listener:  # accepts connections (the kernel does) but never replies
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/fhir"
        with pytest.raises(FhirPostError, match="did not answer within 0.2 seconds") as err:
            post_document(url, BODY, token=TOKEN, timeout=0.2)
    _assert_one_clean_sentence(err.value)


@pytest.mark.parametrize("url", ["http://10.255.255.1/fhir", "http://ehr.example.org/fhir",
                                 "http://[2001:db8::1]/fhir"])
def test_plain_http_to_another_host_is_refused_before_any_connection(url, monkeypatch):
    calls = []

    def record(name):
        def fail(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} called")
        return fail

    monkeypatch.setattr(socket, "getaddrinfo", record("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", record("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", record("connect"))
    with pytest.raises(FhirPostError, match=r"must use https://; nothing was sent\.$") as err:
        post_document(url, BODY, token=TOKEN)
    _assert_one_clean_sentence(err.value)
    assert calls == []


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/fhir", "127.0.0.1/fhir", "https:///fhir"])
def test_an_address_that_is_not_http_is_refused(url):
    with pytest.raises(FhirPostError, match="must be an https:// address"):
        post_document(url, BODY)


def test_tls_is_accepted_with_the_clinic_ca_file(serve, certificate):
    server, url = serve(201, {"Location": "DocumentReference/9"}, tls=tls_context(certificate))
    assert post_document(url, BODY, token=TOKEN, ca_file=certificate[0]) == "DocumentReference/9"
    assert server.received[0][2].decode() == BODY


def test_tls_without_the_ca_file_is_refused_and_nothing_is_sent(serve, certificate):
    server, url = serve(201, {"Location": "DocumentReference/9"}, tls=tls_context(certificate))
    with pytest.raises(FhirPostError, match="did not present a certificate this workstation "
                                            "trusts; nothing was sent") as err:
        post_document(url, BODY, token=TOKEN)
    _assert_one_clean_sentence(err.value)
    assert server.received == []


def test_an_unreadable_ca_file_is_one_sentence(tmp_path):
    with pytest.raises(FhirPostError, match="CA file"):
        post_document("https://127.0.0.1:1/fhir", BODY, ca_file=str(tmp_path / "missing.pem"))
