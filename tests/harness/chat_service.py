"""A stand-in for the chat service's API (AWS Chatbot, now "Amazon Q Developer in chat applications") for tests.

moto has no chatbot. botocore honours the service-specific endpoint variable ``AWS_ENDPOINT_URL_CHATBOT``
(over ``AWS_ENDPOINT_URL``), so :meth:`ChatService.environ` points the collection's ``chatbot`` client at a
small HTTP server on 127.0.0.1 that answers the REST-JSON operations the chat channel manager uses, with the
paths, status codes and shapes of botocore's ``chatbot`` model (chatbot-2017-10-11): every operation is a
POST to its ``requestUri`` (``/create-slack-channel-configuration``, ``/list-ms-teams-channel-configurations``,
...), Create answers 201, Delete 204, errors name their type in ``x-amzn-ErrorType``.

State is kept in memory per account (the account of the caller's access key, asked once of the emulator's
STS). Every request is recorded, so a test can count the chat service's writes as it counts the emulator's.

What AWS does besides the API, done here too: "AWS Chatbot automatically uses the AWSServiceRoleForAWSChatbot
service-linked role to add or remove subscriptions to the AWS Chatbot global Amazon SNS subscription endpoint"
(admin guide, "Using service-linked roles"). So when a configuration lists a topic, this fake subscribes
:data:`SUBSCRIPTION_ENDPOINT` (https) to it through the emulator's SNS API, in the topic's account, and
unsubscribes it when no configuration lists the topic any more. moto confirms https subscriptions at once, as
the chat service's endpoint does. Those SNS requests carry :data:`USER_AGENT_MARK`, so tests can leave them out
of the collection's request counts (:func:`is_chat_service_request`).

Harness choices, not AWS facts (the API reference does not say): a workspace or team that was not authorized
(:meth:`ChatService.authorize_slack` / :meth:`authorize_teams`, the console step that has no API) makes Create
fail with InvalidRequestException; Describe/List answers carry ``Tags`` unless ``tags_in_list=False`` (the model
has the member; the manager handles both); pages hold ``page_size`` items.
"""

import json
import os
import re
import sys
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from emulator import free_port  # pylint: disable=import-error
from playbook_runner import ROOT  # pylint: disable=import-error

if os.path.join(ROOT, ".collections") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, ".collections"))  # the checkout as ansible_collections.rootwatch.aws
# pylint: disable=wrong-import-position
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import CHAT_ENDPOINT  # noqa: E402

# The https endpoint the chat service subscribes to a topic: the one the verdict looks for.
SUBSCRIPTION_ENDPOINT = CHAT_ENDPOINT
USER_AGENT_MARK = "rootwatch-fake-chat-service"
READ_PREFIXES = ("Describe", "List", "Get")
# botocore chatbot model: the operation of each requestUri.
OPERATIONS = {
    "/create-slack-channel-configuration": "CreateSlackChannelConfiguration",
    "/describe-slack-channel-configurations": "DescribeSlackChannelConfigurations",
    "/update-slack-channel-configuration": "UpdateSlackChannelConfiguration",
    "/delete-slack-channel-configuration": "DeleteSlackChannelConfiguration",
    "/create-ms-teams-channel-configuration": "CreateMicrosoftTeamsChannelConfiguration",
    "/list-ms-teams-channel-configurations": "ListMicrosoftTeamsChannelConfigurations",
    "/get-ms-teams-channel-configuration": "GetMicrosoftTeamsChannelConfiguration",
    "/update-ms-teams-channel-configuration": "UpdateMicrosoftTeamsChannelConfiguration",
    "/delete-ms-teams-channel-configuration": "DeleteMicrosoftTeamsChannelConfiguration",
    "/list-tags-for-resource": "ListTagsForResource",
    "/tag-resource": "TagResource",
}
# ConfigurationType of the ChatbotConfiguration ARN (Service Authorization Reference, AWS Chatbot).
ARN_TYPE = {"slack": "slack-channel", "teams": "microsoft-teams-channel"}
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
LOGGING_LEVELS = ("ERROR", "INFO", "NONE")
COMMON = ("IamRoleArn", "SnsTopicArns", "LoggingLevel", "GuardrailPolicyArns", "UserAuthorizationRequired")
IDENTITY = {"slack": ("SlackTeamId", "SlackTeamName", "SlackChannelId", "SlackChannelName"),
            "teams": ("TenantId", "TeamId", "TeamName", "ChannelId", "ChannelName")}


class ChatServiceError(Exception):
    def __init__(self, status, kind, message, key="message"):
        super(ChatServiceError, self).__init__(message)
        self.status, self.kind, self.key = status, kind, key


def is_chat_service_request(request):
    """True for an emulator request this fake made (its SNS subscriptions), not the collection."""
    return USER_AGENT_MARK in request.headers.get("user-agent", "")


class RecordedRequest:
    def __init__(self, operation, account, body):
        self.operation, self.account, self.body = operation, account, body

    @property
    def is_write(self):
        return not self.operation.startswith(READ_PREFIXES)

    def __repr__(self):
        return "<chatbot %s %s>" % (self.account, self.operation)


class ChatService:
    """The fake chat API on 127.0.0.1; a context manager. ``emulator``: the running :class:`emulator.Emulator`."""

    def __init__(self, emulator, page_size=100, tags_in_list=True):
        self.emulator = emulator
        self.page_size = page_size
        self.tags_in_list = tags_in_list
        self.port = free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self._lock = threading.RLock()
        self._accounts = {}  # access key -> account
        self._configurations = {}  # account -> {arn: {"kind", "data"}}
        self._authorized = {}  # account -> {("slack", team) | ("teams", tenant, team)}
        self._subscriptions = {}  # (account, topic arn) -> subscription arn
        self._requests = []
        self.subscription_errors = []
        self._server = None
        self._thread = None

    # -- life cycle -----------------------------------------------------
    def start(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                service.handle(self)

            def log_message(self, *args):  # quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-chat-service", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
        self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def environ(self):
        """The variable that sends botocore's chatbot client here (the service-specific endpoint)."""
        return {"AWS_ENDPOINT_URL_CHATBOT": self.endpoint}

    # -- test controls --------------------------------------------------
    def authorize_slack(self, account, workspace_id):
        """The one-time console authorization of a Slack workspace (no API in AWS)."""
        with self._lock:
            self._authorized.setdefault(account, set()).add(("slack", workspace_id))

    def authorize_teams(self, account, tenant_id, team_id):
        with self._lock:
            self._authorized.setdefault(account, set()).add(("teams", tenant_id.lower(), team_id.lower()))

    def configurations(self, account):
        """{name: configuration as the API returns it} of ``account``."""
        with self._lock:
            return {entry["data"]["ConfigurationName"]: json.loads(json.dumps(entry["data"]))
                    for entry in self._configurations.get(account, {}).values()}

    def set_state(self, account, name, state, reason=None):
        """As an organization's chat applications policy would: State DISABLED with a StateReason."""
        with self._lock:
            for entry in self._configurations.get(account, {}).values():
                if entry["data"]["ConfigurationName"] == name:
                    entry["data"]["State"] = state
                    if reason:
                        entry["data"]["StateReason"] = reason
                    else:
                        entry["data"].pop("StateReason", None)
                    return
        raise KeyError(name)

    def requests(self):
        with self._lock:
            return list(self._requests)

    def write_requests(self):
        return [request for request in self.requests() if request.is_write]

    def clear_recording(self):
        with self._lock:
            self._requests = []

    # -- HTTP -----------------------------------------------------------
    def handle(self, handler):
        path = urllib.parse.urlparse(handler.path).path
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        operation = OPERATIONS.get(path)
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
            if operation is None:
                raise ChatServiceError(404, "UnknownOperationException", "no operation at %s" % path)
            account = self._account(handler.headers.get("Authorization", ""))
            with self._lock:
                self._requests.append(RecordedRequest(operation, account, body))
                status, answer = getattr(self, "_" + operation)(account, body)
        except ChatServiceError as error:
            status, answer = error.status, {error.key: str(error)}
            self._send(handler, status, answer, error.kind)
            return
        except ValueError as error:
            self._send(handler, 400, {"message": str(error)}, "InvalidParameterException")
            return
        self._send(handler, status, answer)

    @staticmethod
    def _send(handler, status, answer, error_type=None):
        data = b"" if status == 204 else json.dumps(answer).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if error_type:
            handler.send_header("x-amzn-ErrorType", error_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _access_key(self, authorization):
        if "Credential=" not in authorization:
            raise ChatServiceError(403, "UnrecognizedClientException", "the request is not signed")
        return authorization.split("Credential=", 1)[1].split("/", 1)[0]

    def _account(self, authorization):
        key = self._access_key(authorization)
        with self._lock:
            if key not in self._accounts:
                self._accounts[key] = self._sts(key).get_caller_identity()["Account"]
            return self._accounts[key]

    def _sts(self, key):
        return self._client("sts", key, "us-east-1")

    def _client(self, service, key, region):
        import boto3  # pylint: disable=import-outside-toplevel
        from botocore.config import Config  # pylint: disable=import-outside-toplevel

        return boto3.client(service, endpoint_url=self.emulator.endpoint, region_name=region, aws_access_key_id=key,
                            aws_secret_access_key="unused", config=Config(user_agent_extra=USER_AGENT_MARK))

    # -- operations -----------------------------------------------------
    def _arn(self, account, kind, name):
        return "arn:aws:chatbot::%s:chat-configuration/%s/%s" % (account, ARN_TYPE[kind], name)

    def _find(self, account, arn, kind=None):
        entry = self._configurations.get(account, {}).get(arn)
        if entry is None or (kind and entry["kind"] != kind):
            raise ChatServiceError(404, "ResourceNotFoundException", "configuration %s not found" % arn, key="Message")
        return entry

    @staticmethod
    def _check_common(body):
        if body.get("LoggingLevel") is not None and body["LoggingLevel"] not in LOGGING_LEVELS:
            raise ChatServiceError(400, "InvalidParameterException", "LoggingLevel must be one of %s" % ", ".join(LOGGING_LEVELS))
        for arn in body.get("SnsTopicArns") or []:
            if not re.match(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$", arn):
                raise ChatServiceError(400, "InvalidParameterException", "invalid SNS topic ARN %s" % arn)

    def _create(self, account, kind, body):
        name = body.get("ConfigurationName") or ""
        if not NAME_RE.match(name):
            raise ChatServiceError(400, "InvalidParameterException", "ConfigurationName must match [A-Za-z0-9-_]{1,128}")
        if not body.get("IamRoleArn"):
            raise ChatServiceError(400, "InvalidParameterException", "IamRoleArn is required")
        self._check_common(body)
        authorized = self._authorized.get(account, set())
        workspace = ("slack", body.get("SlackTeamId")) if kind == "slack" else (
            "teams", (body.get("TenantId") or "").lower(), (body.get("TeamId") or "").lower())
        if workspace not in authorized:
            raise ChatServiceError(400, "InvalidRequestException", "the %s is not authorized for this account; authorize it in the "
                                   "console first" % ("Slack workspace" if kind == "slack" else "Microsoft Teams team"))
        arn = self._arn(account, kind, name)
        if any(entry["data"]["ConfigurationName"] == name for entry in self._configurations.get(account, {}).values()):
            raise ChatServiceError(409, "ConflictException", "a configuration named %s exists" % name)
        data = {"ChatConfigurationArn": arn, "ConfigurationName": name, "State": "ENABLED", "Tags": list(body.get("Tags") or []),
                "LoggingLevel": body.get("LoggingLevel") or "NONE", "SnsTopicArns": list(body.get("SnsTopicArns") or []),
                "IamRoleArn": body["IamRoleArn"], "UserAuthorizationRequired": bool(body.get("UserAuthorizationRequired"))}
        if body.get("GuardrailPolicyArns"):
            data["GuardrailPolicyArns"] = list(body["GuardrailPolicyArns"])
        for key in IDENTITY[kind]:
            if body.get(key) is not None:
                data[key] = body[key]
        self._configurations.setdefault(account, {})[arn] = {"kind": kind, "data": data}
        self._sync_subscriptions(account)
        return 201, {"ChannelConfiguration": self._shown(data)}

    def _update(self, account, kind, body):
        entry = self._find(account, body.get("ChatConfigurationArn"), kind)
        self._check_common(body)
        data = entry["data"]
        channel_key = "SlackChannelId" if kind == "slack" else "ChannelId"
        if not body.get(channel_key):
            raise ChatServiceError(400, "InvalidParameterException", "%s is required" % channel_key)
        data[channel_key] = body[channel_key]
        for key in COMMON + (("SlackChannelName",) if kind == "slack" else ("ChannelName",)):
            if key in body:
                data[key] = body[key]
        self._sync_subscriptions(account)
        return 200, {"ChannelConfiguration": self._shown(data)}

    def _delete(self, account, kind, body):
        self._find(account, body.get("ChatConfigurationArn"), kind)
        del self._configurations[account][body["ChatConfigurationArn"]]
        self._sync_subscriptions(account)
        return 204, {}

    def _shown(self, data):
        shown = json.loads(json.dumps(data))
        if not self.tags_in_list:
            shown.pop("Tags", None)
        return shown

    def _page(self, items, body, key):
        start = int(body.get("NextToken") or 0)
        size = min(int(body.get("MaxResults") or self.page_size), self.page_size)
        answer = {key: [self._shown(item) for item in items[start:start + size]]}
        if start + size < len(items):
            answer["NextToken"] = str(start + size)
        return 200, answer

    def _listed(self, account, kind):
        return [entry["data"] for arn, entry in sorted(self._configurations.get(account, {}).items()) if entry["kind"] == kind]

    def _CreateSlackChannelConfiguration(self, account, body):  # pylint: disable=invalid-name
        return self._create(account, "slack", body)

    def _CreateMicrosoftTeamsChannelConfiguration(self, account, body):  # pylint: disable=invalid-name
        return self._create(account, "teams", body)

    def _UpdateSlackChannelConfiguration(self, account, body):  # pylint: disable=invalid-name
        return self._update(account, "slack", body)

    def _UpdateMicrosoftTeamsChannelConfiguration(self, account, body):  # pylint: disable=invalid-name
        return self._update(account, "teams", body)

    def _DeleteSlackChannelConfiguration(self, account, body):  # pylint: disable=invalid-name
        return self._delete(account, "slack", body)

    def _DeleteMicrosoftTeamsChannelConfiguration(self, account, body):  # pylint: disable=invalid-name
        return self._delete(account, "teams", body)

    def _DescribeSlackChannelConfigurations(self, account, body):  # pylint: disable=invalid-name
        items = self._listed(account, "slack")
        if body.get("ChatConfigurationArn"):
            items = [item for item in items if item["ChatConfigurationArn"] == body["ChatConfigurationArn"]]
        return self._page(items, body, "SlackChannelConfigurations")

    def _ListMicrosoftTeamsChannelConfigurations(self, account, body):  # pylint: disable=invalid-name
        items = self._listed(account, "teams")
        if body.get("TeamId"):
            items = [item for item in items if item.get("TeamId", "").lower() == body["TeamId"].lower()]
        return self._page(items, body, "TeamChannelConfigurations")

    def _GetMicrosoftTeamsChannelConfiguration(self, account, body):  # pylint: disable=invalid-name
        return 200, {"ChannelConfiguration": self._shown(self._find(account, body.get("ChatConfigurationArn"), "teams")["data"])}

    def _ListTagsForResource(self, account, body):  # pylint: disable=invalid-name
        return 200, {"Tags": list(self._find(account, body.get("ResourceARN"))["data"].get("Tags") or [])}

    def _TagResource(self, account, body):  # pylint: disable=invalid-name
        data = self._find(account, body.get("ResourceARN"))["data"]
        tags = dict((tag["TagKey"], tag["TagValue"]) for tag in data.get("Tags") or [])
        tags.update((tag["TagKey"], tag["TagValue"]) for tag in body.get("Tags") or [])
        data["Tags"] = [{"TagKey": key, "TagValue": value} for key, value in sorted(tags.items())]
        return 200, {}

    # -- the service-linked role's subscriptions ------------------------
    def _sync_subscriptions(self, account):
        """Subscribe the chat endpoint to every topic a configuration of ``account`` lists; unsubscribe the rest."""
        wanted = set()
        for entry in self._configurations.get(account, {}).values():
            wanted.update(entry["data"].get("SnsTopicArns") or [])
        key = next(k for k, owner in self._accounts.items() if owner == account)
        for topic in sorted(wanted):
            if (account, topic) in self._subscriptions:
                continue
            sns = self._client("sns", key, topic.split(":")[3])
            try:
                self._subscriptions[(account, topic)] = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=SUBSCRIPTION_ENDPOINT,
                                                                      ReturnSubscriptionArn=True)["SubscriptionArn"]
            except Exception as error:  # pylint: disable=broad-except
                self.subscription_errors.append((topic, str(error)))  # a test asserts there are none
        for (owner, topic), arn in sorted(self._subscriptions.items()):
            if owner == account and topic not in wanted:
                try:
                    self._client("sns", key, topic.split(":")[3]).unsubscribe(SubscriptionArn=arn)
                except Exception:  # pylint: disable=broad-except
                    pass  # the topic is gone already (absent deletes it): nothing left to remove
                del self._subscriptions[(owner, topic)]
