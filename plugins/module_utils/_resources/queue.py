# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dead-letter queue of an EventBridge target: a standard SQS queue, encrypted, that keeps what could not be delivered.

Every target of ours gets one, with a retry policy (``bus.DEFAULT_RETRY_POLICY``).
"Using dead-letter queues to process undelivered events"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html): "Only
standard queues are supported"; "The Amazon SQS queue you use must be in the same
Region in which you create the rule"; "If you specify a DLQ using the API [...] you
must manually create a resource-based policy that grants the required permissions",
whose example lets ``events.amazonaws.com`` call ``sqs:SendMessage`` with
``ArnEquals aws:SourceArn`` the rule ARN (:func:`dead_letter_queue_policy`).

Ownership. The queue carries the owner tag; a same-named queue without it is
someone else's (:class:`ForeignResourceError`). Our policy statement is
``RootwatchEventBridgeDeadLetter``; every other statement is kept as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.constants import POLICY_VERSION
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import WriteConflictError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.json_text import make_diff
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import kept_because
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import tag_plan
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import update_line
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import with_tags
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_match
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_state
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import one_or_list
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import parse_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import plan_statements
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import policies_differ
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statement_changes
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statements_of
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import validate_sid
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.iam_role import EVENTS_SERVICE
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import RULE_ARN_RE

DEFAULT_DLQ_SID = "RootwatchEventBridgeDeadLetter"
# SQS: "MessageRetentionPeriod - The length of time, in seconds, for which Amazon SQS retains a
# message. Valid values: An integer representing seconds, from 60 (1 minute) to 1,209,600 (14
# days)." The longest, so an operator has two weeks to notice and replay a lost alert.
DEFAULT_RETENTION_SECONDS = 1209600
# Standard queues: "up to 80 characters [...] alphanumeric characters, hyphens (-), and underscores (_)".
QUEUE_NAME_RE = re.compile(r"^[A-Za-z0-9_\-]{1,80}$")
QUEUE_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:sqs:([a-z0-9\-]+):(\d{12}):([A-Za-z0-9_\-]{1,80})$")
# The three counts of GetQueueAttributes, read in the same request: available, in flight ("messages that are
# in flight", received but not yet deleted) and delayed (SQS API reference, GetQueueAttributes). An event
# someone received but did not delete is still lost for the alert, so all three count.
QUEUE_MESSAGE_COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")
QUEUE_ATTRIBUTES = ["QueueArn", "Policy"] + list(QUEUE_MESSAGE_COUNTS) + ["SqsManagedSseEnabled", "KmsMasterKeyId", "MessageRetentionPeriod"]
MISSING_QUEUE_CODES = ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")


def validate_rule_arns(rule_arns, what):
    rules = [rule_arns] if isinstance(rule_arns, str) else list(rule_arns or [])
    if not rules:
        raise ValidationError("%s must name at least one EventBridge rule ARN" % what)
    for rule in rules:
        if not isinstance(rule, str) or not RULE_ARN_RE.match(rule):
            raise ValidationError("%s: %r is not an EventBridge rule ARN like arn:aws:events:us-east-1:123456789012:rule/NAME" % (what, rule))
    return rules


def dead_letter_queue_policy(queue_arn, rule_arns, sid=DEFAULT_DLQ_SID):
    """The queue policy letting EventBridge put undelivered events of ``rule_arns`` in the queue.

    AWS's "Target dead-letter queue permissions example": ``events.amazonaws.com``,
    ``sqs:SendMessage`` on the queue, ``ArnEquals aws:SourceArn`` the rule(s). Every
    rule must be in the queue's Region ("The Amazon SQS queue you use must be in the
    same Region in which you create the rule").
    """
    match = QUEUE_ARN_RE.match(queue_arn or "") if isinstance(queue_arn, str) else None
    if not match:
        raise ValidationError("queue_arn must be an SQS queue ARN like arn:aws:sqs:us-east-1:123456789012:NAME, got %r" % (queue_arn,))
    validate_sid(sid, "sid", 64)
    rules = validate_rule_arns(rule_arns, "rule_arns")
    for rule in rules:
        if rule.split(":")[3] != match.group(1):
            raise ValidationError("rule %s is not in %s, the Region of dead-letter queue %s; EventBridge needs the queue in "
                                  "the rule's Region" % (rule, match.group(1), queue_arn))
    return {"Version": POLICY_VERSION, "Statement": [{
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": EVENTS_SERVICE},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": one_or_list(rules)}},
    }]}


class DeadLetterQueueManager(ResourceManager):
    """A standard SQS queue, encrypted, that receives the events EventBridge could not deliver.

    ``ensure(params, known)`` params: ``name``, ``state``, ``rule_arns`` (the
    rules whose targets use this queue; required when present), ``sid`` (default
    ``RootwatchEventBridgeDeadLetter``), ``kms_master_key_id`` (None: SQS-managed
    encryption, ``SqsManagedSseEnabled``, which needs no key policy; a customer
    managed key must let events.amazonaws.com use it), ``message_retention_period``
    (default 14 days), ``tags``, ``purge_tags``, ``owner_tag``. ``known`` may hold
    ``queue_url`` (None when absent), ``attributes`` (GetQueueAttributes) and
    ``tags``. Facts include ``messages`` (every event it holds) and each of
    :data:`QUEUE_MESSAGE_COUNTS` (ints, None when the queue does not exist), so an
    audit can report a queue that holds undelivered events, even ones received but
    not deleted. Extra keys: ``queue`` (view), ``queue_arn``, ``queue_url``.
    """

    kind = "dead-letter queue"

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(DeadLetterQueueManager, self).__init__(clients, region, check_mode, warn, account_id)
        self.sqs = clients("sqs", region)

    # -- reads
    def get_url(self, name):
        found = aws_call("find queue %s" % name, self.sqs.get_queue_url, not_found=MISSING_QUEUE_CODES, QueueName=name)
        return found["QueueUrl"] if found is not None else None

    def get_attributes(self, url):
        return self._attributes(url, list(QUEUE_ATTRIBUTES))

    def _attributes(self, url, names):
        return aws_call("read the attributes of queue %s" % url, self.sqs.get_queue_attributes, QueueUrl=url,
                        AttributeNames=names).get("Attributes", {})

    def list_tags(self, url):
        return dict(aws_call("list the tags of queue %s" % url, self.sqs.list_queue_tags, QueueUrl=url).get("Tags") or {})

    @staticmethod
    def message_counts(attributes):
        """{count name: int or None} of :data:`QUEUE_MESSAGE_COUNTS`, from GetQueueAttributes' strings."""
        found = attributes or {}
        return dict((key, int(found[key]) if found.get(key) not in (None, "") else None) for key in QUEUE_MESSAGE_COUNTS)

    @classmethod
    def messages(cls, attributes):
        """Every event the queue holds (available, in flight and delayed); None when it does not exist."""
        counts = [value for value in cls.message_counts(attributes).values() if value is not None]
        return sum(counts) if attributes is not None and counts else None

    @staticmethod
    def view(name, arn, attributes, tags):
        attributes = attributes or {}
        view = {
            "name": name,
            "arn": arn,
            "sqs_managed_sse_enabled": attributes.get("SqsManagedSseEnabled") == "true",
            "kms_master_key_id": attributes.get("KmsMasterKeyId") or None,
            "message_retention_period": int(attributes["MessageRetentionPeriod"]) if attributes.get("MessageRetentionPeriod") else None,
            "policy": parse_policy(attributes.get("Policy"), "the policy of queue %s" % name),
        }
        return with_tags(view, tags)

    # -- plan
    @staticmethod
    def desired_attributes(params, current):
        """The non-policy attributes to set (SQS's string form): encryption and retention; all of them for a new queue."""
        key = params.get("kms_master_key_id")
        retention = params.get("message_retention_period")
        if retention is None:
            retention = DEFAULT_RETENTION_SECONDS
        if not isinstance(retention, int) or isinstance(retention, bool) or not 60 <= retention <= 1209600:
            raise ValidationError("message_retention_period must be 60-1209600 seconds, got %r" % (retention,))
        if current is None:
            wanted = {"MessageRetentionPeriod": str(retention)}
            wanted.update({"KmsMasterKeyId": key} if key else {"SqsManagedSseEnabled": "true"})
            return wanted
        wanted = {}
        if current.get("MessageRetentionPeriod") != str(retention):
            wanted["MessageRetentionPeriod"] = str(retention)
        if key:
            if current.get("KmsMasterKeyId") != key:
                wanted["KmsMasterKeyId"] = key
            if current.get("SqsManagedSseEnabled") == "true":
                wanted["SqsManagedSseEnabled"] = "false"
        else:
            if current.get("SqsManagedSseEnabled") != "true":
                wanted["SqsManagedSseEnabled"] = "true"
            if current.get("KmsMasterKeyId"):
                wanted["KmsMasterKeyId"] = ""
        return wanted

    def ensure(self, params, known=None):
        state = validate_state(params)
        name = validate_match(params.get("name"), QUEUE_NAME_RE, "name", "a standard queue name (1-80 letters, digits, '-' or '_')")
        sid = params.get("sid") or DEFAULT_DLQ_SID
        known = known or {}
        owner_tag = params.get("owner_tag")
        url = known["queue_url"] if "queue_url" in known else self.get_url(name)
        attributes = (known["attributes"] if "attributes" in known else self.get_attributes(url)) if url else None
        need_tags = url is not None and (params.get("tags") is not None or owner_tag)
        tags = (known["tags"] if "tags" in known else self.list_tags(url)) if need_tags else None
        count = self.messages(attributes)
        facts = dict(self.message_counts(attributes), queue_url=url, attributes=attributes, tags=tags, messages=count)
        if count:
            self.warn("Dead-letter queue %s holds %d event(s) that EventBridge could not deliver" % (name, count))
        if state == "absent":
            return self._absent(name, url, attributes, tags, owner_tag, count, facts)
        if url is not None and not is_owned(tags, owner_tag):
            raise ForeignResourceError(foreign_resource_message("SQS queue", name, self.region, owner_tag))
        to_set, to_unset, final_tags = tag_plan(tags, params.get("tags"), params.get("purge_tags", True))
        arn = (attributes or {}).get("QueueArn") or build_arn("sqs", self.region, self.account_id, name)
        statements = statements_of(dead_letter_queue_policy(arn, params.get("rule_arns"), sid))
        settings = self.desired_attributes(params, attributes)
        if url is None:
            return self._create(name, arn, settings, statements, final_tags or {}, facts)
        current_policy = parse_policy(attributes.get("Policy"), "the policy of queue %s" % name)
        plan = plan_statements(current_policy, statements, [sid])
        what = []
        if "SqsManagedSseEnabled" in settings or "KmsMasterKeyId" in settings:
            what.append("encryption")
        if "MessageRetentionPeriod" in settings:
            what.append("retention")
        if plan["changed"]:
            what.append("policy")
        if to_set or to_unset:
            what.append("tags")
        if what and not self.check_mode:
            if settings or plan["changed"]:
                plan = self._write_attributes(url, name, settings, statements, sid, plan)
                if "policy" in what and not plan["changed"]:  # another writer made the same change first
                    what.remove("policy")
            if to_unset:
                aws_call("untag queue %s" % name, self.sqs.untag_queue, QueueUrl=url, TagKeys=to_unset)
            if to_set:
                aws_call("tag queue %s" % name, self.sqs.tag_queue, QueueUrl=url, Tags=to_set)
        after_attributes = dict(attributes, **settings)
        after_attributes["Policy"] = json.dumps(plan["after"]) if plan["after"] else ""
        before = self.view(name, arn, attributes, tags)
        after = self.view(name, arn, after_attributes, final_tags)
        changes = ([update_line(self.kind, name, what)] if what else []) + statement_changes(plan, "queue policy")
        return manager_result(bool(what), make_diff(before, after), changes, facts, queue=after, queue_arn=arn, queue_url=url)

    def _create(self, name, arn, settings, statements, tags, facts):
        document = {"Version": POLICY_VERSION, "Statement": statements}
        attributes = dict(settings, Policy=json.dumps(document, sort_keys=True))
        url = "https://sqs.%s.amazonaws.com/%s/%s" % (self.region, arn.split(":")[4], name)
        if not self.check_mode:
            kwargs = {"QueueName": name, "Attributes": attributes}
            if tags:
                kwargs["tags"] = tags
            url = aws_call("create queue %s" % name, self.sqs.create_queue, **kwargs)["QueueUrl"]
        after = self.view(name, arn, attributes, tags)
        return manager_result(True, make_diff(None, after), ["create %s %s" % (self.kind, name)], facts,
                              queue=after, queue_arn=arn, queue_url=url)

    def _write_attributes(self, url, name, settings, statements, sid, plan):
        """One SetQueueAttributes; the policy re-merged on a read taken just before it, then read back."""
        attributes = dict(settings)
        if plan["changed"]:
            fresh = self._attributes(url, ["Policy"])
            replanned = plan_statements(parse_policy(fresh.get("Policy"), "the policy of queue %s" % name), statements, [sid])
            replanned["before"] = plan["before"]
            plan = replanned
            if plan["changed"]:
                attributes["Policy"] = json.dumps(plan["after"], sort_keys=True) if plan["after"] else ""
        if not attributes:
            return plan
        aws_call("set the attributes of queue %s" % name, self.sqs.set_queue_attributes, QueueUrl=url, Attributes=attributes)
        if "Policy" in attributes:
            written = self._attributes(url, ["Policy"])
            if policies_differ(parse_policy(written.get("Policy"), "the policy of queue %s" % name), plan["after"]):
                raise WriteConflictError("The policy of queue %s changed while this run wrote it (another writer at the same time); "
                                         "a re-run merges both" % name)
        return plan

    def _absent(self, name, url, attributes, tags, owner_tag, count, facts):
        if url is None:
            return manager_result(False, make_diff(None, None), [], facts, queue={}, queue_arn=None, queue_url=None)
        arn = (attributes or {}).get("QueueArn")
        before = self.view(name, arn, attributes, tags)
        if owner_tag and not is_owned(tags, owner_tag):
            why = kept_because("Queue", name, owner_tag, self.warn)
            return manager_result(False, make_diff(before, before), [], facts, queue=before, queue_arn=arn, queue_url=url,
                                  kept_because=why)
        if count:
            self.warn("Deleting dead-letter queue %s discards the %d undelivered event(s) it holds" % (name, count))
        if not self.check_mode:
            aws_call("delete queue %s" % name, self.sqs.delete_queue, QueueUrl=url)
        return manager_result(True, make_diff(before, None), ["delete %s %s" % (self.kind, name)], facts,
                              queue={}, queue_arn=None, queue_url=None)
