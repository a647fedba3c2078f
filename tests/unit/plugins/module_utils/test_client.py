# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client: auth styles, retries and backoff, and one tested message per failure."""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.swp.aws.plugins.module_utils._client import (
    WorkloadApiError, WorkloadClient, clean_api_key, http_date, normalize_url)
from ansible_collections.swp.aws.tests.support.constants import FULL_KEY, READONLY_KEY


def client_for(sim, key=FULL_KEY, **kwargs):
    kwargs.setdefault("retries", 3)
    kwargs.setdefault("backoff_factor", 0.01)
    kwargs.setdefault("timeout", 5)
    return WorkloadClient(sim.url, key, **kwargs)


def api_calls(sim, path=None):
    return [entry for entry in sim.requests() if path is None or entry["path"] == path]


@pytest.mark.parametrize("url, expected", [
    ("https://workload.us-1.cloudone.trendmicro.com/api", "https://workload.us-1.cloudone.trendmicro.com/api"),
    ("https://workload.us-1.cloudone.trendmicro.com/api/", "https://workload.us-1.cloudone.trendmicro.com/api"),
    ("https://dsm.example.com:4119", "https://dsm.example.com:4119/api"),
    (" https://dsm.example.com:4119/ ", "https://dsm.example.com:4119/api"),
])
def test_url_gets_the_api_suffix_when_missing(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url", ["", None, "dsm.example.com:4119", "ftp://dsm.example.com/api", "https://"])
def test_url_that_is_not_http_is_a_config_error(url):
    with pytest.raises(WorkloadApiError) as err:
        normalize_url(url)
    assert err.value.kind == "config"


@pytest.mark.parametrize("auth_header, sent", [("authorization", "authorization"), ("api-secret-key", "api-secret-key")])
def test_both_header_styles_authenticate(sim, auth_header, sent):
    body = client_for(sim, auth_header=auth_header).get("/awsconnectorsettings")
    assert body["externalId"] == sim.manager_external_id
    entry = api_calls(sim)[-1]
    assert entry["auth_header"] == sent and entry["status"] == 200


def test_url_without_api_suffix_reaches_the_api(sim):
    client = WorkloadClient(sim.base, FULL_KEY)
    assert client.get("/awsconnectorsettings")["externalId"] == sim.manager_external_id


def test_every_call_carries_the_api_version_header(sim):
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim, api_version="v9").get("/awsconnectorsettings")
    assert err.value.status == 400


def test_bad_key_names_api_key_and_auth_header(sim):
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim, key="not-a-key").get("/awsconnectorsettings")
    assert err.value.status == 401 and err.value.kind == "auth"
    assert "api_key" in err.value.message and "auth_header" in err.value.message
    assert "not-a-key" not in err.value.message


def test_missing_permission_is_a_clear_403(sim):
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim, key=READONLY_KEY).post("/systemsettings/platformSettingAwsExternalIdRetrievalEnabled", {"value": "false"})
    assert err.value.status == 403 and err.value.kind == "forbidden"
    assert "not allowed" in err.value.message and err.value.method == "POST"


def test_404_names_the_path(sim):
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim).get("/awsconnectors/424242")
    assert err.value.status == 404 and "/awsconnectors/424242" in err.value.message


def test_503_is_retried_until_it_succeeds(sim):
    sim.add_faults([{"status": 503}, {"status": 502}, {"status": 504}])
    assert client_for(sim, retries=3).get("/awsconnectorsettings")["externalId"]
    assert [e["status"] for e in api_calls(sim)] == [503, 502, 504, 200]


def test_each_retry_is_a_warning_naming_the_call_the_status_and_the_wait(sim):
    sim.add_faults([{"status": 503}, {"status": 502}])
    warnings = []
    assert client_for(sim, retries=3, warn=warnings.append).get("/awsconnectorsettings", params={"q": "x"})["externalId"]
    assert len(warnings) == 2
    assert warnings[0].startswith("GET /api/awsconnectorsettings answered HTTP 503; retry 1 of 3 in ")
    assert warnings[1].startswith("GET /api/awsconnectorsettings answered HTTP 502; retry 2 of 3 in ")
    assert all(w.endswith(" s") and "?" not in w for w in warnings)


def test_a_throttled_retry_warns_with_the_retry_after_wait(sim):
    sim.add_faults([{"status": 429, "retry_after": "1"}])
    warnings = []
    client_for(sim, backoff_factor=0, warn=warnings.append).get("/awsconnectorsettings")
    assert warnings == ["GET /api/awsconnectorsettings answered HTTP 429; retry 1 of 3 in 1.0 s"]


def test_a_dropped_connection_warns_without_a_status(sim):
    sim.add_faults([{"drop": True}])
    warnings = []
    client_for(sim, warn=warnings.append).get("/awsconnectorsettings")
    assert len(warnings) == 1 and warnings[0].startswith("GET /api/awsconnectorsettings got no answer (")
    assert "retry 1 of 3" in warnings[0]


def test_retry_warnings_never_carry_the_key_or_an_external_id(sim):
    sim.add_faults([{"status": 503, "body": {"message": "bad external ID %s for key %s" % (sim.manager_external_id, FULL_KEY)}}])
    warnings = []
    body = client_for(sim, warn=warnings.append).get("/awsconnectorsettings")
    assert len(warnings) == 1
    assert FULL_KEY not in warnings[0] and body["externalId"] not in warnings[0]


def test_retries_are_silent_without_a_warn_hook(sim):
    sim.add_faults([{"status": 503}])
    client = client_for(sim)
    assert client.warn is None and client.get("/awsconnectorsettings")["externalId"]


def test_429_after_retries_ran_out_says_so(sim):
    sim.add_faults([{"status": 429}] * 3)
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim, retries=2).get("/awsconnectorsettings")
    assert err.value.status == 429 and err.value.kind == "throttled"
    assert "after 2 retries" in err.value.message
    assert len(api_calls(sim)) == 3


def test_retry_after_header_is_honoured(sim):
    sim.add_faults([{"status": 429, "retry_after": "1"}])
    started = time.monotonic()
    client_for(sim, backoff_factor=0).get("/awsconnectorsettings")
    assert time.monotonic() - started >= 0.9
    assert len(api_calls(sim)) == 2


def test_429_without_retry_after_backs_off_longer_than_other_errors(sim):
    sim.add_faults([{"status": 429}, {"status": 429}])
    started = time.monotonic()
    client_for(sim, backoff_factor=0.04).get("/awsconnectorsettings")
    # 0.04 * 5 s, then twice that, each within +-25 % jitter: the limit's window is not hammered.
    assert time.monotonic() - started >= 0.45
    assert [e["status"] for e in api_calls(sim)] == [429, 429, 200]


def test_5xx_after_retries_is_a_server_error(sim):
    sim.add_faults([{"status": 500, "body": {"message": "database is down"}}] * 4)
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim).get("/awsconnectorsettings")
    # A read is retried on 500 (retries=3: four calls), then the last answer is the error.
    assert err.value.status == 500 and err.value.kind == "server"
    assert "database is down" in err.value.message and len(api_calls(sim)) == 4


def test_a_passing_500_on_a_read_is_retried(sim):
    sim.add_faults([{"status": 500, "method": "GET"}])
    assert client_for(sim).get("/awsconnectorsettings")["externalId"]
    assert [e["status"] for e in api_calls(sim)] == [500, 200]


def test_a_500_on_a_search_is_retried_as_a_read(sim):
    sim.add_faults([{"status": 500, "method": "POST", "path": "/search$"}])
    answer = client_for(sim).post("/awsconnectors/search", {"maxItems": 10, "searchCriteria": []}, read=True)
    assert "awsConnectors" in answer
    assert [e["status"] for e in api_calls(sim)] == [500, 200]


@pytest.mark.parametrize("idempotent", [True, False])
def test_a_500_on_a_write_is_not_retried(sim, idempotent):
    # Older managers refuse a connector they cannot reach with a 500: repeating the write would not mend it.
    sim.add_faults([{"status": 500, "method": "POST", "body": {"message": "cannot assume the role"}}])
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim).post("/awsconnectors", {"crossAccountRoleArn": "arn:aws:iam::123456789012:role/r"}, idempotent=idempotent)
    assert err.value.status == 500 and len(api_calls(sim)) == 1
    # The read adapter was for that one request only: the next write is still not retried on 500.
    sim.add_faults([{"status": 500, "method": "POST"}])
    client = client_for(sim)
    client.get("/awsconnectorsettings")
    with pytest.raises(WorkloadApiError):
        client.post("/awsconnectors/1", {"displayName": "x"})
    assert [e["status"] for e in api_calls(sim)][-1] == 500


def test_body_that_is_not_json_is_reported(sim):
    sim.add_faults([{"status": 200, "body": "<html>login</html>", "content_type": "text/html"}])
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim).get("/awsconnectorsettings")
    assert err.value.kind == "bad_response" and "not JSON" in err.value.message and "/api" in err.value.message


def test_error_body_that_is_not_json_still_gives_a_message(sim):
    sim.add_faults([{"status": 400, "body": "<html>bad</html>", "content_type": "text/html"}])
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim).get("/awsconnectorsettings")
    assert err.value.status == 400 and "(HTTP 400 Bad Request: bad)" in err.value.message


# A tiny server that answers every request with one canned error, as a proxy or an older manager would.
class _Canned(BaseHTTPRequestHandler):
    answer = (500, "", None)

    def _reply(self):
        status, body, content_type = self.server.answer
        data = body.encode("utf-8")
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _reply  # noqa: N815  pylint: disable=invalid-name

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture
def canned():
    """Start a server answering (status, body, content type); returns a function that sets the answer and gives the URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def answer(status, body, content_type=None):
        server.answer = (status, body, content_type)
        return "http://127.0.0.1:%d/api" % server.server_address[1]
    yield answer
    server.shutdown()
    server.server_close()


PROXY_PAGE = """<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style>
<script>var x = "<b>not text</b>";</script></head><body><h1>Bad&nbsp;Gateway</h1>
<p>The upstream <em>manager</em> did not answer &amp; the proxy gave up.</p></body></html>"""


@pytest.mark.parametrize("status, body, content_type, expected", [
    (400, '{"message": "Invalid SearchFilter: unknown fieldName: displayName"}', "application/json",
     "(HTTP 400 Bad Request: Invalid SearchFilter: unknown fieldName: displayName)"),
    (400, '{"error": {"message": "The role cannot be assumed."}}', "application/json",
     "(HTTP 400 Bad Request: The role cannot be assumed)"),
    (403, '{"error": {"code": 403, "message": "Access denied."}}', "application/json", "(HTTP 403 Forbidden: Access denied)"),
    (500, '{"error": "Internal failure"}', "application/json", "(HTTP 500 Internal Server Error: Internal failure)"),
    (500, '{"status": 500}', "application/json", '(HTTP 500 Internal Server Error: {"status": 500})'),
    (400, "plain words from a proxy", "text/plain", "(HTTP 400 Bad Request: plain words from a proxy)"),
    (500, PROXY_PAGE, "text/html",
     "(HTTP 500 Internal Server Error: 502 Bad Gateway - Bad Gateway The upstream manager did not answer & the proxy gave up)"),
    (500, "", None, "(HTTP 500 Internal Server Error, empty body)"),
    (404, "", None, "(HTTP 404 Not Found, empty body)"),
    (400, "   \n", "application/json", "(HTTP 400 Bad Request, empty body)"),
])
def test_every_error_body_gives_the_servers_message_and_never_none(canned, status, body, content_type, expected):
    url = canned(status, body, content_type)
    with pytest.raises(WorkloadApiError) as err:
        WorkloadClient(url, FULL_KEY, retries=0).get("/awsconnectors")
    assert expected in err.value.message
    assert "None" not in err.value.message and "<" not in err.value.message
    assert err.value.server_message is None if not body.strip() else err.value.server_message


def test_a_long_html_page_is_shortened(canned):
    url = canned(502, "<html><body>" + "<p>lorem ipsum</p>" * 500 + "</body></html>", "text/html")
    with pytest.raises(WorkloadApiError) as err:
        WorkloadClient(url, FULL_KEY, retries=0).get("/awsconnectors")
    assert len(err.value.server_message) <= 300 and err.value.server_message.endswith("...")
    assert "<p>" not in err.value.message


@pytest.mark.parametrize("auth_header, sent, advised", [
    ("authorization", "'Authorization: ApiKey'", "auth_header: api-secret-key"),
    ("api-secret-key", "'api-secret-key'", "auth_header: authorization"),
])
def test_401_names_the_other_header_style(sim, auth_header, sent, advised):
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim, key="not-a-key", auth_header=auth_header).get("/awsconnectorsettings")
    assert err.value.status == 401 and sent in err.value.message and advised in err.value.message
    assert "Cloud One" in err.value.message and "Deep Security Manager" in err.value.message


def test_429_without_retry_after_spans_the_rate_limit_window_with_the_default_retries():
    # The waits of the default 5 retries, at backoff factor 1 and the lowest jitter, cover the 60-second window.
    from ansible_collections.swp.aws.plugins.module_utils import _client
    waits = [min(_client.BACKOFF_MAX, _client.THROTTLE_WAIT * 2 ** n) for n in range(5)]
    assert sum(waits) * 0.75 > 60 and sum(waits[:4]) > 60


def test_dropped_connection_is_retried_for_a_read(sim):
    sim.add_faults([{"drop": True}])
    assert client_for(sim).get("/awsconnectorsettings")["externalId"]
    assert [e["status"] for e in api_calls(sim)] == [None, 200]


def test_create_is_not_resent_after_a_read_timeout(sim):
    sim.add_faults([{"latency": 2, "when": "after", "method": "POST", "path": "^/api/awsconnectors$"}])
    client = client_for(sim, timeout=0.5)
    with pytest.raises(WorkloadApiError) as err:
        client.post("/awsconnectors", {"displayName": "x", "accessKey": "AKIAEXAMPLE", "secretKey": "s"}, idempotent=False)
    assert err.value.kind == "timeout" and "may or may not" in err.value.message
    assert len([e for e in api_calls(sim) if e["method"] == "POST"]) == 1
    # It happened, and the client can still be used afterwards.
    assert len(client.get("/awsconnectors")["awsConnectors"]) == 1


def test_create_is_not_resent_after_a_dropped_connection(sim):
    sim.add_faults([{"drop": True, "when": "after", "method": "POST"}])
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim).post("/awsconnectors", {"displayName": "x", "accessKey": "AKIAEXAMPLE", "secretKey": "s"}, idempotent=False)
    assert err.value.kind == "timeout"
    assert len([e for e in api_calls(sim) if e["method"] == "POST"]) == 1


def test_create_is_retried_on_429_which_proves_it_was_not_done(sim):
    sim.add_faults([{"status": 429, "method": "POST"}])
    created = client_for(sim).post("/awsconnectors", {"displayName": "x", "accessKey": "AKIAEXAMPLE", "secretKey": "s"}, idempotent=False)
    assert created["ID"] and [e["status"] for e in api_calls(sim)] == [429, 200]


def test_create_is_not_retried_on_502_which_may_hide_a_done_create(sim):
    sim.add_faults([{"status": 502, "method": "POST"}])
    with pytest.raises(WorkloadApiError):
        client_for(sim).post("/awsconnectors", {"displayName": "x", "accessKey": "AKIAEXAMPLE", "secretKey": "s"}, idempotent=False)
    assert len(api_calls(sim)) == 1


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_url_is_named():
    client = WorkloadClient("http://127.0.0.1:%d/api" % _closed_port(), FULL_KEY, retries=1, backoff_factor=0.01, timeout=2)
    with pytest.raises(WorkloadApiError) as err:
        client.get("/awsconnectorsettings")
    assert err.value.kind == "connection" and client.base_url in err.value.message and "url" in err.value.message


def test_api_key_is_required():
    with pytest.raises(WorkloadApiError) as err:
        WorkloadClient("https://dsm.example.com:4119", "")
    assert "SWP_API_KEY" in err.value.message


# A small HTTPS server with a self-signed certificate, for the TLS tests.
class _Answer(BaseHTTPRequestHandler):
    def do_GET(self):  # pylint: disable=invalid-name
        body = b'{"externalId": "tls-ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert_path), str(key_path))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "https://127.0.0.1:%d/api" % server.server_address[1], str(cert_path)
    server.shutdown()
    server.server_close()


def test_tls_failure_points_at_ca_path(tls_server):
    url, dummy = tls_server
    with pytest.raises(WorkloadApiError) as err:
        WorkloadClient(url, FULL_KEY, retries=0).get("/awsconnectorsettings")
    assert err.value.kind == "tls" and "ca_path" in err.value.message


def test_ca_path_verifies_a_private_ca(tls_server):
    url, cert_path = tls_server
    assert WorkloadClient(url, FULL_KEY, ca_path=cert_path).get("/awsconnectorsettings")["externalId"] == "tls-ok"


def test_verification_can_be_turned_off_explicitly(tls_server):
    url, dummy = tls_server
    assert WorkloadClient(url, FULL_KEY, validate_certs=False).get("/awsconnectorsettings")["externalId"] == "tls-ok"


# The API key: cleaned before use, never quoted by an error.
SECRET_KEY = "leak-canary-9QvX27mLpT4sKd81"


def _spellings(secret):
    """The key as is and in the escaped forms a log may show it in."""
    return {secret, repr(secret), repr(secret)[1:-1], json.dumps(secret), json.dumps(secret)[1:-1],
            secret.encode("unicode_escape").decode("ascii"), SECRET_KEY}


def _assert_not_quoted(error, secret):
    texts = [str(error), repr(error), error.message, str(error.server_message), repr(error.args),
             json.dumps(error.to_dict())]
    for text in texts:
        for spelling in _spellings(secret):
            assert spelling not in text, (spelling, text)


@pytest.fixture
def secret_sim(sim):
    sim.reset({"api_keys": [{"key": SECRET_KEY, "role": "full"}]})
    return sim


@pytest.mark.parametrize("raw", [SECRET_KEY + "\n", SECRET_KEY + "\r\n", "  " + SECRET_KEY + "\t\n", "\n" + SECRET_KEY,
                                 SECRET_KEY + "\u00a0", SECRET_KEY + "\u2003\n"], ids=repr)
@pytest.mark.parametrize("auth_header", ["authorization", "api-secret-key"])
def test_surrounding_whitespace_of_the_key_is_removed(secret_sim, raw, auth_header):
    body = client_for(secret_sim, key=raw, auth_header=auth_header).get("/awsconnectorsettings")
    assert body["externalId"] == secret_sim.manager_external_id
    assert api_calls(secret_sim)[-1]["key_role"] == "full"


def test_clean_api_key_strips_and_keeps_latin_1():
    assert clean_api_key(" \t%s\r\n" % SECRET_KEY) == SECRET_KEY
    assert clean_api_key("caf\u00e9-key") == "caf\u00e9-key"


@pytest.mark.parametrize("raw, problem", [
    (SECRET_KEY[:10] + "\n" + SECRET_KEY[10:], "control character"),
    (SECRET_KEY[:10] + "\r" + SECRET_KEY[10:], "control character"),
    (SECRET_KEY[:10] + "\x00" + SECRET_KEY[10:], "control character"),
    (SECRET_KEY[:10] + "\t" + SECRET_KEY[10:], "control character"),
    (SECRET_KEY[:10] + "\x7f" + SECRET_KEY[10:], "control character"),
    (SECRET_KEY[:10] + "\x85" + SECRET_KEY[10:], "control character"),
    (SECRET_KEY[:10] + "\u20ac" + SECRET_KEY[10:], "outside Latin-1"),
    (SECRET_KEY[:10] + "\u2028" + SECRET_KEY[10:], "outside Latin-1"),
    (SECRET_KEY + "\U0001f511", "outside Latin-1"),
    ("\u043a\u043b\u044e\u0447-" + SECRET_KEY, "outside Latin-1"),
], ids=repr)
def test_a_key_with_control_or_non_latin_1_characters_is_a_config_error_that_does_not_quote_it(sim, raw, problem):
    with pytest.raises(WorkloadApiError) as err:
        WorkloadClient(sim.url, raw)
    assert err.value.kind == "config" and problem in err.value.message and "api_key" in err.value.message
    assert "at character" in err.value.message
    _assert_not_quoted(err.value, raw)
    assert not api_calls(sim)


@pytest.mark.parametrize("raw", ["", "   ", "\n", "\r\n\t", None], ids=repr)
def test_an_empty_key_is_a_config_error(raw):
    with pytest.raises(WorkloadApiError) as err:
        WorkloadClient("https://dsm.example.com:4119", raw)
    assert err.value.kind == "config" and "SWP_API_KEY" in err.value.message


def test_a_key_that_is_not_text_is_a_config_error():
    with pytest.raises(WorkloadApiError) as err:
        WorkloadClient("https://dsm.example.com:4119", b"bytes-key-123456")
    assert err.value.kind == "config" and "bytes-key" not in err.value.message


@pytest.mark.parametrize("version", ["v1\n", "v1\r\nX-Injected: 1", "v\u20ac", "", None], ids=repr)
def test_a_bad_api_version_is_a_config_error(version):
    with pytest.raises(WorkloadApiError) as err:
        WorkloadClient("https://dsm.example.com:4119", FULL_KEY, api_version=version)
    assert err.value.kind == "config" and "api_version" in err.value.message


def test_a_wrong_key_is_not_quoted(sim):
    wrong = "wrong-" + SECRET_KEY
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim, key=wrong + "\n").get("/awsconnectorsettings")
    assert err.value.kind == "auth"
    _assert_not_quoted(err.value, wrong)


def test_a_latin_1_key_is_sent_and_refused_without_being_quoted(sim):
    wrong = SECRET_KEY + "\u00e9"
    with pytest.raises(WorkloadApiError) as err:
        client_for(sim, key=wrong).get("/awsconnectorsettings")
    assert err.value.kind == "auth"
    _assert_not_quoted(err.value, wrong)


@pytest.mark.parametrize("status, auth_header, quoted", [
    (401, "authorization", "Authentication failed for 'ApiKey %s'" % SECRET_KEY),
    (403, "api-secret-key", "key %s is read-only" % json.dumps(SECRET_KEY)),
    (500, "authorization", "header api-secret-key: %r" % SECRET_KEY),
    (404, "authorization", "no such key %s" % SECRET_KEY.encode("unicode_escape").decode("ascii")),
])
def test_a_server_message_that_quotes_the_key_is_scrubbed(secret_sim, status, auth_header, quoted):
    # A read is retried on 500: every attempt gets the same answer.
    secret_sim.add_faults([{"status": status, "body": {"message": quoted}}] * 4)
    with pytest.raises(WorkloadApiError) as err:
        client_for(secret_sim, key=SECRET_KEY + "\n", auth_header=auth_header).get("/awsconnectorsettings")
    assert err.value.status == status and "********" in err.value.message
    _assert_not_quoted(err.value, SECRET_KEY)
    assert err.value.__cause__ is None and err.value.__suppress_context__


@pytest.mark.parametrize("value", ["ApiKey %s\nX-Injected: 1" % SECRET_KEY, "ApiKey %s\u20ac" % SECRET_KEY,
                                   " ApiKey %s" % SECRET_KEY], ids=repr)
def test_an_invalid_header_is_not_quoted_by_the_error(sim, value):
    # What requests or http.client do with a bad header value (InvalidHeader quoting it, UnicodeEncodeError),
    # whatever let it through.
    client = client_for(sim)
    client._session.headers["Authorization"] = value  # pylint: disable=protected-access
    with pytest.raises(WorkloadApiError) as err:
        client.get("/awsconnectorsettings")
    assert err.value.kind == "config" and "header" in err.value.message
    _assert_not_quoted(err.value, value)
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert not api_calls(sim)


# ------------------------------------------------------------------ the manager's clock: the answer's HTTP Date

@pytest.mark.parametrize("value, expected", [
    ("Thu, 03 Dec 2026 14:25:46 GMT", 1796307946),
    ("Thursday, 03-Dec-26 14:25:46 GMT", 1796307946),
    ("Thu, 03 Dec 2026 15:25:46 +0100", 1796307946),
    ("", None), (None, None), ("yesterday", None), (1796307946, None),
])
def test_http_date_is_whole_seconds_since_the_epoch(value, expected):
    assert http_date(value) == expected


def test_the_client_keeps_the_date_of_the_last_answer_error_or_not(sim):
    client = client_for(sim, retries=0)
    assert client.last_date is None
    started = int(time.time())
    client.get("/awsconnectors")
    assert started - 1 <= client.last_date <= time.time()
    sim.add_faults([{"status": 404, "method": "GET"}])
    with pytest.raises(WorkloadApiError):
        client.get("/awsconnectors/7")
    assert started - 1 <= client.last_date <= time.time()
    # No answer, no clock: a dropped connection leaves no Date of an earlier call behind.
    sim.add_faults([{"drop": True, "method": "GET"}])
    with pytest.raises(WorkloadApiError):
        client.get("/awsconnectors")
    assert client.last_date is None
