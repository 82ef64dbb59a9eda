"""A loopback HTTP proxy in front of the emulator that answers a share of requests with faults.

For a seeded random share of the requests it answers itself, the way AWS does when it
throttles or fails, instead of forwarding:

- ``throttle``: the protocol's throttling error. JSON protocols (``X-Amz-Target``: EventBridge,
  CloudTrail, KMS, Logs...) answer 400 ``ThrottlingException``; query protocols (``Action=``:
  SNS, STS, IAM) 400 ``Throttling``; S3 503 ``SlowDown``; RPC v2 CBOR (CloudWatch) 400
  ``ThrottlingException``.
- ``internal``: 500 ``InternalError`` (``InternalFailure`` for JSON) or 503 ``ServiceUnavailable``.
- ``drop``: the connection is closed without an answer; the request never reaches the emulator.
- ``lost``: the request is forwarded, then the connection is closed: the write happened, the
  answer is lost (what makes retried creates meet their own first attempt).

``answer`` (optional) shapes answers the emulator cannot give: ``answer(proxy, method, path,
headers, body)`` returns ``(status, headers, body)`` to answer a request itself, or None to go
on. ``account_of(headers)`` names the account of a request signed with credentials from an
``sts:AssumeRole`` that went through the proxy.

The emulator's control API (``/moto-api/``) is never touched. Requests the emulator saw are
in its own recording; ``seen()`` has every request the proxy received, faults included.

    with FaultProxy(emulator, rate=0.2, seed=7) as proxy:
        run_playbook(..., proxy.environ())
        print(proxy.counts())
"""

import http.client
import http.server
import random
import re
import socket
import threading
import urllib.parse
import uuid
from collections import Counter

# A 20 % fault rate split between the kinds: mostly throttling, as AWS under load.
DEFAULT_SHARES = {"throttle": 0.13, "internal": 0.03, "drop": 0.02, "lost": 0.02}
# Not passed on: hop-by-hop headers, and the length, which the proxy sets itself.
NOT_FORWARDED = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
                 "expect", "content-length"}
THROTTLE_MESSAGE = "Rate exceeded"


def scaled(rate, shares=None):
    """``shares`` (default DEFAULT_SHARES) scaled so that they add up to ``rate``."""
    shares = dict(DEFAULT_SHARES if shares is None else shares)
    total = sum(shares.values())
    return {kind: rate * share / total for kind, share in shares.items()} if total else shares


def protocol_of(headers, path, body):
    """'s3' (REST XML), 'json', 'cbor' or 'query', as the request shows it."""
    auth = headers.get("Authorization", "")
    if "/s3/aws4_request" in auth:
        return "s3"
    if headers.get("X-Amz-Target"):
        return "json"
    if headers.get("smithy-protocol") == "rpc-v2-cbor":
        return "cbor"
    if "Action=" in body or "Action=" in urllib.parse.urlparse(path).query:
        return "query"
    return "s3"


def _cbor_text(text):
    data = text.encode()
    return (bytes([0x60 + len(data)]) if len(data) < 24 else bytes([0x78, len(data)])) + data


def error_answer(protocol, code, status, message):
    """(status, headers, body) of an AWS error answer in ``protocol``."""
    request_id = str(uuid.uuid4())
    if protocol == "json":
        body = ('{"__type":"%s","message":"%s"}' % (code, message)).encode()
        return status, [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code),
                        ("x-amzn-RequestId", request_id)], body
    if protocol == "cbor":
        body = bytes([0xA2]) + _cbor_text("__type") + _cbor_text(code) + _cbor_text("message") + _cbor_text(message)
        return status, [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                        ("x-amzn-RequestId", request_id)], body
    if protocol == "query":
        kind = "Sender" if status < 500 else "Receiver"
        body = ("<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>"
                "<RequestId>%s</RequestId></ErrorResponse>" % (kind, code, message, request_id)).encode()
        return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
            "<RequestId>%s</RequestId></Error>" % (code, message, request_id)).encode()
    return status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], body


def fault_answer(kind, protocol, pick):
    """The answer for an injected ``throttle`` or ``internal`` fault."""
    if kind == "throttle":
        if protocol == "s3":
            return error_answer(protocol, "SlowDown", 503, "Please reduce your request rate.")
        code = "Throttling" if protocol == "query" else "ThrottlingException"
        return error_answer(protocol, code, 400, THROTTLE_MESSAGE)
    if pick < 0.5:
        return error_answer(protocol, "ServiceUnavailable", 503, "Service is unavailable. Please try again.")
    code = "InternalFailure" if protocol in ("json", "cbor") else "InternalError"
    return error_answer(protocol, code, 500, "We encountered an internal error. Please try again.")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as AWS endpoints
    timeout = 120  # an idle client connection is closed after this

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                data = self.rfile.read(size + 2)[:size]
                if not size:
                    return b"".join(chunks)
                chunks.append(data)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self):
        proxy = self.server.proxy
        body = self._body()
        text = body.decode("utf-8", "replace")
        control = self.path.startswith("/moto-api")
        kind, pick = (None, 0.0) if control else proxy.decide()
        if not control:
            proxy.record(self.command, self.path, dict(self.headers.items()), text, kind)
        canned = None if control or proxy.answer is None else proxy.answer(proxy, self.command, self.path, self.headers, text)
        if canned is not None:
            proxy.count("answered")
            return self._answer(*canned)
        if kind == "drop":
            return self._close()
        if kind in ("throttle", "internal"):
            return self._answer(*fault_answer(kind, protocol_of(self.headers, self.path, text), pick))
        try:
            status, headers, data, length = proxy.forward(self.command, self.path, self.headers, body)
        except OSError:
            proxy.count("upstream_error")
            return self._answer(502, [("Content-Type", "text/plain")], b"emulator unreachable")
        if kind == "lost":
            return self._close()
        proxy.learn_credentials(text, status, data)
        proxy.count("forwarded")
        return self._answer(status, headers, data, length)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _handle

    def _answer(self, status, headers, data, length=None):
        self.send_response_only(status)
        for key, value in headers:
            self.send_header(key, value)
        # A HEAD answer keeps the emulator's Content-Length and carries no body.
        self.send_header("Content-Length", str(length if self.command == "HEAD" and length else len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _close(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class FaultProxy:
    """The proxy, in a background thread, on 127.0.0.1 and a free port."""

    def __init__(self, emulator, rate=0.2, shares=None, seed=20261201, answer=None):
        self.emulator = emulator
        self.answer = answer
        self._accounts_by_key = {}
        self.shares = scaled(rate, shares)
        self.rate = sum(self.shares.values())
        upstream = urllib.parse.urlparse(emulator.endpoint)
        self._upstream = (upstream.hostname, upstream.port)
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._counts = Counter()
        self._seen = []
        self._server = None
        self._thread = None
        self.endpoint = None

    # -- life cycle -----------------------------------------------------------------------------
    def start(self):
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self
        self.endpoint = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def environ(self):
        """The emulator's variables, with AWS_ENDPOINT_URL pointing at the proxy."""
        return dict(self.emulator.environ(), AWS_ENDPOINT_URL=self.endpoint)

    # -- what happened --------------------------------------------------------------------------
    def counts(self):
        """{"forwarded": n, "throttle": n, "internal": n, "drop": n, "lost": n, ...}."""
        with self._lock:
            counts = dict.fromkeys(["forwarded"] + list(self.shares), 0)
            counts.update(self._counts)
            return counts

    def seen(self):
        """Every request received (control API excepted), oldest first, as the emulator records
        them (``emulator.Request(entry)`` reads one), with ``fault``: the kind injected or None."""
        with self._lock:
            return list(self._seen)

    def reset(self):
        with self._lock:
            self._counts.clear()
            self._seen = []

    # -- for the handler ------------------------------------------------------------------------
    def decide(self):
        """(kind or None, a second draw for the answer's variant)."""
        with self._lock:
            draw, pick = self._random.random(), self._random.random()
        for kind, share in self.shares.items():
            if draw < share:
                self.count(kind)
                return kind, pick
            draw -= share
        return None, pick

    def learn_credentials(self, body, status, data):
        """Remember which account an AssumeRole's access key leads into."""
        if status != 200 or "Action=AssumeRole&" not in body + "&":
            return
        role = re.search(r"RoleArn=arn%3Aaws%3Aiam%3A%3A(\d{12})%3A", body)
        key = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", data)
        if role and key:
            with self._lock:
                self._accounts_by_key[key.group(1).decode()] = role.group(1)

    def account_of(self, headers):
        """The account of a request signed with assumed-role credentials seen here, or None."""
        match = re.search(r"Credential=([^/]+)/", headers.get("Authorization", ""))
        with self._lock:
            return self._accounts_by_key.get(match.group(1)) if match else None

    def count(self, key):
        with self._lock:
            self._counts[key] += 1

    def record(self, method, path, headers, body, fault):
        with self._lock:
            self._seen.append({"method": method, "url": path, "headers": headers, "body": body, "fault": fault})

    def forward(self, method, path, headers, body):
        connection = http.client.HTTPConnection(*self._upstream, timeout=120)
        try:
            connection.request(method, path, body=body or None,
                               headers={k: v for k, v in headers.items() if k.lower() not in NOT_FORWARDED})
            response = connection.getresponse()
            data = response.read()
            answer = [(k, v) for k, v in response.getheaders() if k.lower() not in NOT_FORWARDED]
            return response.status, answer, data, response.getheader("Content-Length")
        finally:
            connection.close()
