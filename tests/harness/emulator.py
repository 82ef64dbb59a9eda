"""Local AWS emulator (moto server) shared by the tests, the demo and the benchmarks.

It starts ``moto_server`` on 127.0.0.1 on a free port, waits until it answers,
exports ``AWS_ENDPOINT_URL`` (which botocore honours natively), records requests
so a test can prove that no write call was made, and stops the server with its
whole process group, even when the caller fails.
"""

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

DEFAULT_REGION = "us-east-1"
TEST_ROLE_NAME = "RootwatchTestRole"
# Read-only actions by name; everything else is a write.
READ_PREFIXES = ("Describe", "List", "Get", "Lookup", "Test", "Head", "Search")
# Calls that change no resource although their names do not say so.
# GenerateCredentialReport builds the account's credential report, no resource (a Read in the Service Authorization Reference).
NON_WRITE_ACTIONS = {"AssumeRole", "GetCallerIdentity", "ValidateTemplate", "GenerateCredentialReport"}
_LOADER = []  # one botocore data loader for every session: a new session would parse each service model again


def boto3_session(**credentials):
    """A boto3 session that shares the service models already loaded (a client then costs about a fifth)."""
    import boto3  # pylint: disable=import-outside-toplevel
    import botocore.session  # pylint: disable=import-outside-toplevel

    core = botocore.session.Session()
    if not _LOADER:
        _LOADER.append(core.get_component("data_loader"))
    core.register_component("data_loader", _LOADER[0])
    return boto3.session.Session(botocore_session=core, **credentials)


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listens_on(pid, port):
    """True when process group ``pid`` holds the socket listening on 127.0.0.1:``port`` (True where /proc cannot tell)."""
    try:
        with open("/proc/net/tcp", encoding="ascii") as handle:
            listening = [line.split() for line in handle.readlines()[1:]]
    except OSError:
        return True
    wanted = "0100007F:%04X" % port
    inodes = {fields[9] for fields in listening if fields[1] == wanted and fields[3] == "0A"}  # 0A: LISTEN
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getpgid(int(entry)) != pid:
                continue
            links = [os.readlink(os.path.join("/proc", entry, "fd", fd)) for fd in os.listdir(os.path.join("/proc", entry, "fd"))]
        except OSError:
            continue
        if inodes & {link[len("socket:["):-1] for link in links if link.startswith("socket:[")}:
            return True
    return False


def role_arn(account_id, role_name=TEST_ROLE_NAME):
    """The role that a simulated account is entered through."""
    return "arn:aws:iam::%s:role/%s" % (account_id, role_name)


def simulated_accounts(count, first=111111111111):
    """``count`` distinct 12-digit account IDs: 111111111111, 111111111112, ..."""
    return ["%012d" % (first + index) for index in range(count)]


class Request:
    """One request as the emulator recorded it, with the AWS action it names."""

    def __init__(self, entry):
        self.method = entry.get("method", "")
        self.url = entry.get("url", "")
        self.headers = {key.lower(): value for key, value in (entry.get("headers") or {}).items()}
        body = entry.get("body") or ""
        self.raw_body = base64.b64decode(body) if entry.get("body_encoded") else body.encode("utf-8")
        if entry.get("body_encoded"):
            body = self.raw_body.decode("utf-8", "replace")
        self.body = body
        self.service = self._service()
        self.action = self._action()

    def _service(self):
        # SigV4: "Credential=AKID/20261124/us-east-1/events/aws4_request"
        auth = self.headers.get("authorization", "")
        marker = "Credential="
        if marker in auth:
            scope = auth.split(marker, 1)[1].split(",", 1)[0].split("/")
            if len(scope) >= 4:
                return scope[3]
        return ""

    def _action(self):
        target = self.headers.get("x-amz-target")
        if target:
            return target.rsplit(".", 1)[-1]
        # Smithy RPC v2 CBOR (CloudWatch): POST /service/<Service>/operation/<Operation>.
        path = urllib.parse.urlparse(self.url).path
        if "/operation/" in path:
            return path.rsplit("/operation/", 1)[1].strip("/")
        query = urllib.parse.urlparse(self.url).query
        for source in (self.body, query):
            if "Action=" in source:
                params = urllib.parse.parse_qs(source)
                if params.get("Action"):
                    return params["Action"][0]
        # REST protocols (S3): the HTTP method decides.
        return "%s %s" % (self.method, urllib.parse.urlparse(self.url).path)

    @property
    def access_key(self):
        """The access key that signed the request (SigV4 ``Credential=KEY/...``), or None."""
        auth = self.headers.get("authorization", "")
        return auth.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in auth else None

    @property
    def is_write(self):
        if " " in self.action:
            return self.method not in ("GET", "HEAD")
        if self.action in NON_WRITE_ACTIONS:
            return False
        return not self.action.startswith(READ_PREFIXES)

    def __repr__(self):
        return "<%s %s>" % (self.service, self.action)


class Emulator:
    """A moto server on 127.0.0.1, started and stopped as a context manager."""

    def __init__(self, port=None, log_path=None):
        self._fixed_port = port is not None
        self.port = port or free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self._workdir = tempfile.mkdtemp(prefix="rootwatch-moto-")
        self.recording_path = os.path.join(self._workdir, "recording.jsonl")
        self.log_path = log_path or os.path.join(self._workdir, "moto.log")
        self._process = None
        self._log = None

    # -- life cycle -----------------------------------------------------
    def start(self, timeout=30, attempts=3):
        """Start moto; with a port of its own choosing, another one if that port was taken meanwhile
        (parallel test workers each start an emulator)."""
        for attempt in range(attempts):
            if self._start(timeout):
                return self
            self.stop()
            if self._fixed_port or attempt == attempts - 1:
                break
            self.port = free_port()
            self.endpoint = "http://127.0.0.1:%d" % self.port
        raise RuntimeError("moto_server did not start on port %d; see %s" % (self.port, self.log_path))

    def _start(self, timeout):
        env = dict(os.environ)
        env.update(MOTO_ENABLE_RECORDING="true", MOTO_RECORDER_FILEPATH=self.recording_path)
        moto_server = os.path.join(os.path.dirname(sys.executable), "moto_server")
        self._log = open(self.log_path, "ab")
        # A session of its own, so stop() takes down every process it spawns.
        self._process = subprocess.Popen(
            [moto_server, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2):
                    pass
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
                continue
            if not _listens_on(self._process.pid, self.port):
                return False  # another process answers on this port
            self.clear_recording()
            return True
        return False

    def stop(self):
        if self._process is not None and self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGTERM)
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def pid(self):
        return self._process.pid if self._process else None

    # -- environment ----------------------------------------------------
    def environ(self):
        """Variables that point boto3, botocore and Ansible at this emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": DEFAULT_REGION,
            "AWS_REGION": DEFAULT_REGION,
        }

    @contextmanager
    def exported(self):
        """Export ``environ()`` into os.environ for the duration of the block."""
        saved = {key: os.environ.get(key) for key in self.environ()}
        os.environ.update(self.environ())
        try:
            yield self
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    # -- control API ----------------------------------------------------
    def _post(self, path):
        request = urllib.request.Request(self.endpoint + path, data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def reset(self):
        """Forget every resource in every account, and the recording."""
        self._post("/moto-api/reset")
        self.clear_recording()

    def clear_recording(self):
        with open(self.recording_path, "w", encoding="utf-8"):
            pass

    def requests(self):
        """Every request recorded since the last clear, oldest first."""
        if not os.path.exists(self.recording_path):
            return []
        with open(self.recording_path, encoding="utf-8") as handle:
            return [Request(json.loads(line)) for line in handle if line.strip()]

    def write_requests(self):
        return [request for request in self.requests() if request.is_write]

    def requests_by_account(self, requests=None):
        """{account: [request]}: sts:AssumeRole under the account of its RoleArn, any other
        request under the account whose credentials signed it.

        Emulator quirk: moto does not check signatures, so sts:GetCallerIdentity with the
        access key alone names the account its assumed-role credentials belong to.
        """
        owners, found = {}, {}
        for request in self.requests() if requests is None else requests:
            if request.action == "AssumeRole":
                role = urllib.parse.parse_qs(request.body).get("RoleArn", [""])[0]
                owner = role.split(":")[4] if role.count(":") >= 5 else "?"
            else:
                key = request.access_key
                if key not in owners:
                    owners[key] = self.client_for_key("sts", key or "testing").get_caller_identity()["Account"]
                owner = owners[key]
            found.setdefault(owner, []).append(request)
        return found

    # -- simulated accounts ---------------------------------------------
    def session(self, account_id=None, region=DEFAULT_REGION):
        """A boto3 session in ``account_id`` (entered through sts:AssumeRole)."""
        base = boto3_session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
        if account_id is None:
            return base
        credentials = base.client("sts", endpoint_url=self.endpoint).assume_role(
            RoleArn=role_arn(account_id), RoleSessionName="rootwatch-test"
        )["Credentials"]
        return boto3_session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=region,
        )

    def client(self, service, account_id=None, region=DEFAULT_REGION):
        return self.session(account_id, region).client(service, endpoint_url=self.endpoint)

    def client_for_key(self, service, access_key, region=DEFAULT_REGION):
        """A client that signs with ``access_key`` (the emulator ignores the secret)."""
        return boto3_session(aws_access_key_id=access_key, aws_secret_access_key="unused", region_name=region).client(
            service, endpoint_url=self.endpoint)


def main(argv=None):
    """``emulator.py -- COMMAND ...``: run COMMAND with the emulator up, then stop it."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: emulator.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    with Emulator() as emulator:
        env = dict(os.environ, **emulator.environ())
        print("emulator: moto server on %s (pid %s)" % (emulator.endpoint, emulator.pid), flush=True)
        # Forward SIGTERM as an ordinary exit so the finally clause stops moto.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        return subprocess.call(argv, env=env)


if __name__ == "__main__":
    sys.exit(main())
