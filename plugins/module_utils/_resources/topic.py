# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SNS topics: name and KMS key checks, facts, and :class:`TopicManager`.

The topic policy is not managed here (see ``topic_policy``); a topic's policy is
left exactly as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import build_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import foreign_resource_message
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import is_owned
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import as_manager_result
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import TOPIC_NAME_RE
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import AwsCallError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import aws_call
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import error_code
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import is_not_found
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.sns_common import read_topic_attributes
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import default_topic_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import DEFAULT_STATEMENT_SID
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic_policy import parse_policy
from ansible_collections.rootwatch.aws.plugins.module_utils._policy.statements import statements_of
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.validators import validate_kms_key_id

AWS_MANAGED_SNS_ALIAS = "alias/aws/sns"
KMS_ARN_RE = re.compile(r"^arn:(aws[a-z\-]*):kms:([a-z0-9\-]+):(\d{12}):((?:key|alias)/.+)$")
AWS_MANAGED_KEY_REFUSAL = (
    "kms_master_key_id %r is the AWS-managed key alias/aws/sns. EventBridge cannot publish to a topic encrypted "
    "with it (its key policy cannot be changed to allow events.amazonaws.com), so alerts would be dropped "
    "silently. Use a customer-managed key whose key policy allows events.amazonaws.com kms:GenerateDataKey* "
    "and kms:Decrypt, or set allow_aws_managed_key=true if no EventBridge rule publishes to this topic."
)
# Managed attribute -> (module option, API attribute name).
MANAGED_ATTRIBUTES = (("display_name", "DisplayName"), ("kms_master_key_id", "KmsMasterKeyId"))


def validate_topic_name(name, param="name"):
    if not isinstance(name, str) or not TOPIC_NAME_RE.match(name):
        raise ValidationError(
            "%s must be 1-256 letters, digits, hyphens or underscores (standard topics; FIFO topics are not "
            "supported), got %r" % (param, name)
        )
    return name


def is_aws_managed_sns_key(key_id):
    """True for alias/aws/sns given as an alias name or an alias ARN."""
    if not key_id:
        return False
    if key_id == AWS_MANAGED_SNS_ALIAS:
        return True
    match = KMS_ARN_RE.match(key_id)
    return bool(match and match.group(4) == AWS_MANAGED_SNS_ALIAS)


def validate_topic_options(name, kms_master_key_id=None, allow_aws_managed_key=False):
    """The checks made before any AWS call; raise ValueError naming the option."""
    validate_topic_name(name)
    validate_kms_key_id(kms_master_key_id, "kms_master_key_id")  # '' turns encryption off
    if is_aws_managed_sns_key(kms_master_key_id) and not allow_aws_managed_key:
        raise ValidationError(AWS_MANAGED_KEY_REFUSAL % kms_master_key_id)


def kms_key_local_form(key_id, region, account_id):
    """A text form two spellings of the same key share when no lookup is needed.

    ``alias/x`` and ``arn:...:kms:<region>:<account>:alias/x`` are the same
    alias; a key ID and the key's ARN in this region and account are the same
    key. Anything else (an alias vs. the key it points at) needs kms:DescribeKey.
    """
    if not key_id:
        return ""
    match = KMS_ARN_RE.match(key_id)
    if match:
        if match.group(2) == region and match.group(3) == account_id:
            return match.group(4)
        return key_id
    if key_id.startswith("alias/"):
        return key_id
    return "key/" + key_id


def kms_keys_textually_same(left, right, region, account_id):
    return kms_key_local_form(left, region, account_id) == kms_key_local_form(right, region, account_id)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def topic_facts(topic_arn, attributes, tags=None):
    """The ``topic`` return value from GetTopicAttributes' attributes."""
    facts = {
        "arn": topic_arn,
        "name": topic_arn.rsplit(":", 1)[-1],
        "display_name": attributes.get("DisplayName") or "",
        "kms_master_key_id": attributes.get("KmsMasterKeyId") or "",
        "owner": attributes.get("Owner") or topic_arn.split(":")[4],
        "policy": parse_policy(attributes.get("Policy"), topic_arn) or {},
        "subscriptions_confirmed": _int(attributes.get("SubscriptionsConfirmed")),
        "subscriptions_pending": _int(attributes.get("SubscriptionsPending")),
    }
    if tags is not None:
        facts["tags"] = dict(tags)
    return facts


def topic_kept_because(subscriptions, our_endpoints, policy, our_sids):
    """Why a topic must stay (others use it), or '' when deleting it removes only ours.

    ``subscriptions``: the topic's listing after our own were removed; ``policy``:
    its policy document after our statements were removed.
    """
    ours = set(our_endpoints)
    others = [s.get("Endpoint") for s in subscriptions if s.get("Endpoint") not in ours and s.get("SubscriptionArn") != "Deleted"]
    if others:
        return "other subscriptions remain (%s)" % ", ".join(sorted(str(o) for o in others))
    foreign = [s.get("Sid") for s in statements_of(policy) if s.get("Sid") not in list(our_sids) + [DEFAULT_STATEMENT_SID]]
    if foreign:
        return "its policy has statements of others (%s)" % ", ".join(sorted(str(f) for f in foreign))
    return ""


def managed_view(facts, desired):
    """The part of the facts this module manages (for the diff)."""
    view = {option: facts.get(option, "") for option, unused in MANAGED_ATTRIBUTES if desired.get(option) is not None}
    if desired.get("tags") is not None:
        view["tags"] = facts.get("tags", {})
    return view


class TopicManager(ResourceManager):
    """Read -> compare -> (write unless check mode) -> report, for one SNS topic.

    Built like every manager (see ``managers``); ``ensure(params, known)`` takes
    the module's options (``name``, ``state``, ``display_name``,
    ``kms_master_key_id``, ``tags``, ``purge_tags``, ``allow_aws_managed_key``)
    and, in ``known["attributes"]``, the topic's attributes when the caller has
    read them (None: the topic does not exist).
    """

    @property
    def sns(self):
        return self.client("sns")

    def ensure(self, params, known=None):
        known = known or {}
        if params.get("state", "present") == "absent":
            result = self.ensure_absent(params["name"], known=known, owner_tag=params.get("owner_tag"),
                                        keep_because=params.get("keep_because"))
            changes = ["delete topic %s" % params["name"]] if result["changed"] else []
        else:
            result = self.ensure_present(
                params["name"],
                display_name=params.get("display_name"),
                kms_master_key_id=params.get("kms_master_key_id"),
                tags=params.get("tags"),
                purge_tags=params.get("purge_tags", True),
                allow_aws_managed_key=params.get("allow_aws_managed_key", False),
                known=known,
                owner_tag=params.get("owner_tag"),
            )
            if result["created"]:
                changes = ["create topic %s" % params["name"]]
            elif result["changed"]:
                changes = ["update topic %s: %s" % (params["name"], ", ".join(result["updated_attributes"]) or "tags")]
            else:
                changes = []
        return as_manager_result(result, changes)

    def publish_test(self, topic_arn, subject, message):
        """One test message through the topic (the caller skips it in check mode)."""
        aws_call("publish a test message to SNS topic %s" % topic_arn, self.sns.publish,
                 TopicArn=topic_arn, Subject=subject, Message=message)

    # -- reads ------------------------------------------------------------
    def topic_arn(self, name):
        """The topic's ARN, known before it exists: account (one STS call, cached) + region + name."""
        if self.known_account_id is None:
            self.account_id = aws_call(
                "find the account ID (sts:GetCallerIdentity) to locate SNS topic %s" % name,
                self.clients("sts", self.region).get_caller_identity,
            )["Account"]
        return build_arn("sns", self.region, self.account_id, name)

    def read(self, topic_arn):
        """GetTopicAttributes on the ARN; None when the topic does not exist."""
        return read_topic_attributes(self.sns, topic_arn)

    def read_tags(self, topic_arn):
        return boto3_tag_list_to_ansible_dict(
            aws_call(
                "list the tags of SNS topic %s" % topic_arn,
                self.sns.list_tags_for_resource,
                ResourceArn=topic_arn,
            ).get("Tags", [])
        )

    # -- KMS --------------------------------------------------------------
    def _describe_key(self, key_id):
        return aws_call("describe KMS key %s" % key_id, self.client("kms").describe_key, KeyId=key_id)["KeyMetadata"]

    def kms_key_differs(self, current, desired, allow_aws_managed_key=False):
        """Whether the topic's key must change; kms:DescribeKey only when the texts differ."""
        if (current or "") == (desired or ""):
            return False
        if not current or not desired:
            return True
        if kms_keys_textually_same(current, desired, self.region, self.account_id):
            return False
        try:
            wanted = self._describe_key(desired)
        except AwsCallError as exc:
            if is_not_found(exc.exception):
                if self.check_mode:
                    self.warn("KMS key %s was not found; in check mode it is assumed to be created earlier" % desired)
                    return True
                raise ValidationError(message="kms_master_key_id %s: no such KMS key in %s" % (desired, self.region), exception=exc.exception)
            if error_code(exc.exception) in ("AccessDeniedException", "AccessDenied"):
                self.warn("Not allowed to describe KMS key %s, so it is compared as text only" % desired)
                return True
            raise
        if wanted.get("KeyManager") == "AWS" and not allow_aws_managed_key:
            raise ValidationError(AWS_MANAGED_KEY_REFUSAL % desired)
        try:
            have = self._describe_key(current)
        except AwsCallError:
            # The topic's current key is gone or hidden from us: it is not the wanted key we can see.
            return True
        return have.get("Arn") != wanted.get("Arn")

    # -- ensure -----------------------------------------------------------
    def ensure_present(self, name, display_name=None, kms_master_key_id=None, tags=None, purge_tags=True,
                       allow_aws_managed_key=False, known=None, owner_tag=None):
        """Create or update the topic. Options left None are not managed.

        Returns a dict: changed, topic_arn, topic (facts), diff ({before, after}
        of the managed attributes), created (bool), updated_attributes (names).
        """
        validate_topic_options(name, kms_master_key_id, allow_aws_managed_key)
        desired = {"display_name": display_name, "kms_master_key_id": kms_master_key_id, "tags": tags}
        topic_arn = self.topic_arn(name)
        attributes = self._attributes(topic_arn, known)
        if attributes is None:
            return self._create(name, topic_arn, desired)

        if known and "tags" in known:
            current_tags = known["tags"]
        else:
            current_tags = self.read_tags(topic_arn) if tags is not None or owner_tag else None
        if not is_owned(current_tags, owner_tag):
            raise ForeignResourceError(foreign_resource_message("SNS topic", name, self.region, owner_tag))
        facts = topic_facts(topic_arn, attributes, current_tags)
        before = managed_view(facts, desired)
        changes = {}
        if display_name is not None and display_name != facts["display_name"]:
            changes["DisplayName"] = display_name
        if kms_master_key_id is not None and self.kms_key_differs(
            facts["kms_master_key_id"], kms_master_key_id, allow_aws_managed_key
        ):
            changes["KmsMasterKeyId"] = kms_master_key_id
        if is_aws_managed_sns_key(facts["kms_master_key_id"]) and "KmsMasterKeyId" not in changes and not allow_aws_managed_key:
            self.warn(
                "SNS topic %s is encrypted with the AWS-managed key alias/aws/sns: EventBridge cannot publish to it "
                "(silent non-delivery). Set kms_master_key_id to a customer-managed key or ''." % topic_arn
            )
        to_set, to_unset = ({}, [])
        if tags is not None:
            to_set, to_unset = compare_aws_tags(current_tags, tags, purge_tags)

        if not self.check_mode:
            for attribute, value in changes.items():
                aws_call(
                    "set %s of SNS topic %s" % (attribute, topic_arn),
                    self.sns.set_topic_attributes,
                    TopicArn=topic_arn,
                    AttributeName=attribute,
                    AttributeValue=value,
                )
            if to_set:
                aws_call(
                    "tag SNS topic %s" % topic_arn,
                    self.sns.tag_resource,
                    ResourceArn=topic_arn,
                    Tags=ansible_dict_to_boto3_tag_list(to_set),
                )
            if to_unset:
                aws_call(
                    "untag SNS topic %s" % topic_arn,
                    self.sns.untag_resource,
                    ResourceArn=topic_arn,
                    TagKeys=to_unset,
                )
        for option, attribute in MANAGED_ATTRIBUTES:
            if attribute in changes:
                facts[option] = changes[attribute]
        if tags is not None:
            new_tags = {key: value for key, value in facts["tags"].items() if key not in to_unset}
            new_tags.update({key: str(value) for key, value in to_set.items()})
            facts["tags"] = new_tags
        return {
            "changed": bool(changes or to_set or to_unset),
            "created": False,
            "updated_attributes": sorted(changes),
            "topic_arn": topic_arn,
            "topic": facts,
            "facts": {"topic_arn": topic_arn, "exists": True, "attributes": attributes, "tags": current_tags},
            "diff": {"before": before, "after": managed_view(facts, desired)},
        }

    def inspect(self, name, owner_tag):
        """{topic_arn, exists, owned, attributes, tags}: one read of the topic and, if it exists, its tags."""
        topic_arn = self.topic_arn(name)
        attributes = self.read(topic_arn)
        tags = self.read_tags(topic_arn) if attributes is not None else None
        return {"topic_arn": topic_arn, "exists": attributes is not None, "owned": attributes is not None and is_owned(tags, owner_tag),
                "attributes": attributes, "tags": tags}

    def _attributes(self, topic_arn, known):
        """The topic's attributes: the caller's read when given, else one GetTopicAttributes."""
        if known and "attributes" in known:
            return known["attributes"]
        return self.read(topic_arn)

    def _create(self, name, topic_arn, desired):
        attributes = {}
        if desired["display_name"]:
            attributes["DisplayName"] = desired["display_name"]
        if desired["kms_master_key_id"]:
            attributes["KmsMasterKeyId"] = desired["kms_master_key_id"]
        tags = {key: str(value) for key, value in (desired["tags"] or {}).items()}
        read_back = None
        if not self.check_mode:
            params = {"Name": name, "Attributes": attributes}
            if tags:
                params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
            topic_arn = aws_call("create SNS topic %s" % name, self.sns.create_topic, **params)["TopicArn"]
            try:
                read_back = self.read(topic_arn)
            except AwsCallError:
                read_back = None  # eventual consistency: fall back to the prediction
        if read_back is None:
            read_back = dict(attributes, Owner=self.account_id)
            read_back["Policy"] = default_topic_policy(topic_arn)
        facts = topic_facts(topic_arn, read_back, tags)
        return {
            "changed": True,
            "created": True,
            "updated_attributes": sorted(attributes),
            "topic_arn": topic_arn,
            "topic": facts,
            "facts": {"topic_arn": topic_arn, "exists": False, "attributes": None, "tags": None},
            "diff": {"before": {}, "after": managed_view(facts, desired)},
        }

    def ensure_absent(self, name, known=None, owner_tag=None, keep_because=None):
        """Delete the topic if it exists. Returns a dict: changed, topic_arn, topic ({}), facts, diff.

        With ``owner_tag`` a topic without that tag is kept (``kept_because`` says so);
        ``keep_because(topic_arn)`` may give another reason to keep it (others use it).
        """
        validate_topic_name(name)
        topic_arn = self.topic_arn(name)
        attributes = self._attributes(topic_arn, known)
        facts = {"topic_arn": topic_arn, "exists": attributes is not None, "attributes": attributes, "tags": None}
        unchanged = {"changed": False, "topic_arn": topic_arn, "topic": {}, "facts": facts, "diff": {"before": {}, "after": {}}}
        if attributes is None:
            return unchanged
        if owner_tag:
            facts["tags"] = known["tags"] if known and "tags" in known else self.read_tags(topic_arn)
            if not is_owned(facts["tags"], owner_tag):
                return dict(unchanged, kept_because="it was not created by rootwatch.aws (no %s tag)" % ", ".join(sorted(owner_tag)))
        reason = keep_because(topic_arn) if keep_because else ""
        if reason:
            return dict(unchanged, kept_because=reason)
        if not self.check_mode:
            aws_call("delete SNS topic %s" % topic_arn, self.sns.delete_topic, TopicArn=topic_arn)
        before = topic_facts(topic_arn, attributes)
        return {"changed": True, "topic_arn": topic_arn, "topic": {}, "facts": facts, "diff": {"before": before, "after": {}}}
