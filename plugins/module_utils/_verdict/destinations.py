# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The chat and webhook links of a delivery path, and the kinds of destination a path reaches.

Pure functions, no I/O; ``delivery_path`` calls them for each path it walks. What they judge comes
from the stack's reads, put beside the other facts:

- ``facts["chat"]``: ``{"error": None or text, "configurations": ChatChannelManager.inventory()}``, read
  only when ``root_login_alerts_chat_channels`` is set (absent: not read);
- ``facts["webhooks"]``: ``{API destination ARN: {"name": webhook name, "read": WebhookManager.read()}}``;
- ``facts["roles"]``: ``{role ARN: {"ok": True/False/None, "reason": text}}``, the invocation role judged
  (``iam_roles.judge_role``) by the stack.

The chat service subscribes to a topic a channel configuration lists with protocol ``https`` and the
endpoint ``subscriptions.CHAT_ENDPOINT``, and confirms it itself. AWS's guides do not spell the endpoint out; it is
the one the service creates, as public configurations that manage the subscription by hand show
(for example Terraform ``aws_sns_topic_subscription`` blocks with ``endpoint_auto_confirms``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

from ansible_collections.rootwatch.aws.plugins.module_utils._resources.api_destinations import webhook_path_problems
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.subscriptions import is_chat_subscription

CHAT_SERVICE_PRINCIPAL = "chatbot.amazonaws.com"
EMAIL = "email"
WEBHOOK = "webhook:%s"
EMAIL_PROTOCOLS = ("email", "email-json")
# Our targets on the alert rules beside the email topic's: the chat topic's, and one per webhook.
CHAT_TARGET_ID = "rootwatch-root-login-alerts-chat"
WEBHOOK_TARGET_PREFIX = "rootwatch-webhook-"
MAX_TARGET_ID = 64  # PutTargets: Id is 1-64 characters
# The links of a webhook path after the rule (the event source and the rule come first, as on every path).
WEBHOOK_LINKS = ("target", "role", "connection", "api_destination")


def _link(name, ok, reason):
    return {"link": name, "ok": ok, "reason": reason}


def webhook_target_id(name):
    """The target Id of webhook ``name`` (``rootwatch-webhook-<name>``, or a digest of a name too long for it)."""
    target_id = WEBHOOK_TARGET_PREFIX + name
    if len(target_id) <= MAX_TARGET_ID:
        return target_id
    return WEBHOOK_TARGET_PREFIX + hashlib.sha256(name.encode("utf-8")).hexdigest()[:MAX_TARGET_ID - len(WEBHOOK_TARGET_PREFIX)]


def is_our_target(target, ours):
    """Is ``target`` one of ours (``ours``: ``topic_arn``, ``target_id`` and optionally ``chat_topic_arn``)?
    The email topic's and the chat topic's by Id and ARN; a webhook's by its Id and an API destination ARN."""
    target = target or {}
    arn, target_id = target.get("Arn"), target.get("Id") or ""
    if arn == ours.get("topic_arn") and target_id == ours.get("target_id"):
        return True
    if ours.get("chat_topic_arn") and arn == ours["chat_topic_arn"] and target_id == CHAT_TARGET_ID:
        return True
    return target_id.startswith(WEBHOOK_TARGET_PREFIX) and is_api_destination_arn(arn)


def subscription_kind(subscription):
    """``email``, ``chat`` (the chat service) or ``sns-<protocol>``."""
    if is_chat_subscription(subscription):
        return "chat"
    protocol = (subscription.get("Protocol") or "").lower()
    return EMAIL if protocol in EMAIL_PROTOCOLS else "sns-%s" % (protocol or "unknown")


def is_api_destination_arn(arn):
    """``arn:<partition>:events:<region>:<account>:api-destination/<name>/<id>``."""
    parts = (arn or "").split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and parts[2] == "events" and parts[5].startswith("api-destination/")


def chat_recipient(topic_arn, chat):
    """``(ok, kinds, reason)`` for the chat service's confirmed subscription to ``topic_arn``: it delivers only
    through an ENABLED channel configuration that lists the topic (``State`` DISABLED: "if the organization's
    AWS Chatbot policy has explicitly denied that configuration", chat API reference). ``chat`` None: not read
    (no chat channels configured), so the subscription counts as any confirmed one, unverified."""
    name = topic_arn.rsplit(":", 1)[-1]
    if chat is None:
        return True, ["chat"], "the chat service (its channel configurations were not read: root_login_alerts_chat_channels is not set)"
    if chat.get("error"):
        return None, [], "the chat service is subscribed to %s, but its channel configurations could not be read: %s" % (name, chat["error"])
    listing = [(cfg_name, entry) for cfg_name, entry in sorted((chat.get("configurations") or {}).items())
               if topic_arn in ((entry.get("view") or {}).get("topic_arns") or [])]
    enabled = [(cfg_name, entry) for cfg_name, entry in listing if (entry.get("state") or "ENABLED") == "ENABLED"]
    if enabled:
        kinds = sorted(set(entry.get("kind") for unused, entry in enabled))
        return True, kinds, "chat channel%s %s (ENABLED)" % ("s" if len(enabled) > 1 else "", ", ".join(n for n, unused in enabled))
    if listing:
        return False, [], "the channel configuration%s listing %s %s: %s" % (
            "s" if len(listing) > 1 else "", name, "are not enabled" if len(listing) > 1 else "is not enabled",
            "; ".join("%s is %s%s" % (n, e.get("state"), " (%s)" % e["state_reason"] if e.get("state_reason") else "") for n, e in listing))
    return False, [], "the chat service is subscribed to %s, but no channel configuration of ours lists it" % name


def webhook_links(target, facts):
    """``(links, kinds)`` of a target that is an API destination: the target (one of our webhooks), the
    invocation role, the connection (``AUTHORIZED``; ``DEAUTHORIZED`` with AWS's reason) and the API
    destination (``ACTIVE``, on that connection), from ``api_destinations.webhook_path_problems``."""
    arn = target.get("Arn")
    entry = (facts.get("webhooks") or {}).get(arn)
    if entry is None:
        return [_link("target", False, "target %s (%s) is an API destination that is not one of root_login_alerts_webhooks, "
                      "so it is not read" % (target.get("Id"), arn))], []
    read = entry["read"]
    links = [_link("target", True, "API destination %s (webhook %s)" % (read.get("name"), entry["name"]))]
    role_arn = target.get("RoleArn")
    role = (facts.get("roles") or {}).get(role_arn) if role_arn else None
    if not role_arn:
        links.append(_link("role", False, "the target has no role: EventBridge needs one to invoke an API destination"))
    elif role is None:
        links.append(_link("role", None, "role %s was not read" % role_arn))
    else:
        links.append(_link("role", role["ok"], "role %s: %s" % (role_arn, role["reason"])))
    status, problems = webhook_path_problems(read)
    connection = [p for p in problems if p.startswith("connection ")]
    destination = [p for p in problems if not p.startswith("connection ")]
    pending = status == "pending"
    connection_arn = (read.get("connection") or {}).get("arn")
    # Pending is not a failed read (unknown would stop an apply): the connection does not deliver yet.
    links.append(_link("connection", False if connection else True,
                       "; ".join(connection) + (" (AWS is still working on it)" if pending else "") if connection
                       else "connection %s is AUTHORIZED" % (connection_arn or read.get("name"))))
    links.append(_link("api_destination", False if destination else True,
                       "; ".join(destination) if destination else "API destination %s is ACTIVE" % read.get("name")))
    return links, [WEBHOOK % entry["name"]]


def reaches(paths):
    """The kinds of destination with a complete path (``email``, ``slack``, ``teams``, ``webhook:<name>``...)."""
    return sorted(set(kind for path in paths or [] if path.get("complete") for kind in path.get("reaches") or []))
