from tests.http_peers import certificate, serve  # noqa: F401 (the fixtures of tests/remote)
