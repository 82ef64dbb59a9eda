"""Inside one simulated account: boto3 clients to look at it, and what tests build in it by hand.

``Account`` reads what the role left (topics, rules, targets, subscriptions, trails, buckets).
The builders arrange what a user met before the role came: AWS's own recipe for root sign-in alerts
(``build_recipe``), a logging trail (``add_trail``), a customer-managed KMS key (``customer_key``) and
another team's subscription (``foreign_sqs_subscription``).

Emulator quirks the builders live with (the code follows AWS):
- the CloudFormation ``AWS::SNS::TopicPolicy`` resource is accepted but not applied, so the recipe is
  built with boto3 calls, the same calls its stack makes;
- create_trail checks only that the log bucket exists;
- ``DisableKey`` needs the key ID, not the ARN.
"""

import json

import botocore.exceptions

from emulator import DEFAULT_REGION  # pylint: disable=import-error
from playbook_checks import NAME  # pylint: disable=import-error

# AWS's recipe ("Creating Amazon EventBridge rules that react to events"): its topic and rule names, and its
# pattern, which names no source.
RECIPE_TOPIC = "ROOT-AWS-Console-Sign-In-via-CloudTrail"
RECIPE_RULE = "rootstack-RootActivityRule"
RECIPE_PATTERN = {"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
RECIPE_EMAIL = "secops@example.com"


class Account:
    """boto3 clients inside one simulated account (one AssumeRole for all of them)."""

    def __init__(self, emulator, account_id, region=DEFAULT_REGION):
        self.id = account_id
        self._session = emulator.session(account_id, region)
        self._endpoint = emulator.endpoint
        self._clients = {}

    def client(self, service):
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self._endpoint)
        return self._clients[service]

    def topic_arn(self, name=NAME):
        return "arn:aws:sns:%s:%s:%s" % (DEFAULT_REGION, self.id, name)

    def topics(self):
        return [topic["TopicArn"] for topic in self.client("sns").list_topics()["Topics"]]

    def rules(self):
        return [rule["Name"] for rule in self.client("events").list_rules()["Rules"]]

    def targets(self, rule=NAME):
        return {target["Id"]: target["Arn"] for target in self.client("events").list_targets_by_rule(Rule=rule)["Targets"]}

    def subscriptions(self, name=NAME):
        listing = self.client("sns").list_subscriptions_by_topic(TopicArn=self.topic_arn(name))["Subscriptions"]
        return sorted(subscription["Endpoint"] for subscription in listing)

    def policy_sids(self, name=NAME):
        policy = json.loads(self.client("sns").get_topic_attributes(TopicArn=self.topic_arn(name))["Attributes"]["Policy"])
        return sorted(statement.get("Sid") for statement in policy["Statement"])

    def trails(self):
        # describe_trails ignores trailNameList in the emulator; list all the account's trails.
        return sorted(trail["Name"] for trail in self.client("cloudtrail").describe_trails(includeShadowTrails=False)["trailList"])

    def bucket_exists(self, bucket):
        try:
            self.client("s3").head_bucket(Bucket=bucket)
        except botocore.exceptions.ClientError:
            return False
        return True

    def default_bucket(self):
        return "root-login-alerts-%s-%s" % (self.id, DEFAULT_REGION)


# -- built by hand -------------------------------------------------------------------------------
def events_statement(topic_arn, sid="TopicPolicyForEvents", **condition):
    """The recipe's topic policy statement: EventBridge may publish (with ``condition`` as ArnEquals)."""
    statement = {"Sid": sid, "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                 "Action": "sns:Publish", "Resource": topic_arn}
    if condition:
        statement["Condition"] = {"ArnEquals": condition}
    return statement


def key_policy(account, events=True):
    """A key policy: the account's root, and with ``events`` the grant EventBridge needs to publish to an encrypted topic."""
    statements = [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                   "Principal": {"AWS": "arn:aws:iam::%s:root" % account}, "Action": "kms:*", "Resource": "*"}]
    if events:
        statements.append({"Sid": "AllowEventBridge", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                           "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def build_recipe(inside, statement=None, trail=True, pattern=None, kms_key=None, extra_statements=()):
    """AWS's recipe, by hand, in ``inside``: returns the topic ARN."""
    pattern = pattern or RECIPE_PATTERN
    sns, events = inside.client("sns"), inside.client("events")
    attributes = {"KmsMasterKeyId": kms_key} if kms_key else {}
    topic = sns.create_topic(Name=RECIPE_TOPIC, Attributes=attributes)["TopicArn"]
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    policy["Statement"].append(statement or events_statement(topic))
    policy["Statement"].extend(extra_statements)
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=RECIPE_EMAIL)
    events.put_rule(Name=RECIPE_RULE, EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(Rule=RECIPE_RULE, Targets=[{"Id": "RootNotify", "Arn": topic}])
    if trail:
        add_trail(inside)
    return topic


def add_trail(inside, name="management-events", logging=True, **options):
    """A multi-Region trail with global service events into a bucket of its own."""
    bucket = "%s-%s" % (name, inside.id)
    inside.client("s3").create_bucket(Bucket=bucket)
    cloudtrail = inside.client("cloudtrail")
    cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True, **options)
    if logging:
        cloudtrail.start_logging(Name=name)


def customer_key(inside, events=True, enabled=True):
    """A customer-managed KMS key (see ``key_policy``); returns its ARN."""
    kms = inside.client("kms")
    key = kms.create_key(Policy=key_policy(inside.id, events=events))["KeyMetadata"]
    if not enabled:
        kms.disable_key(KeyId=key["KeyId"])  # emulator quirk: the key ID, not the ARN
    return key["Arn"]


def foreign_sqs_subscription(inside):
    """Another team's SQS queue subscribed to our topic; returns the queue ARN."""
    sqs = inside.client("sqs")
    queue = sqs.create_queue(QueueName="other-team-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    inside.client("sns").subscribe(TopicArn=inside.topic_arn(), Protocol="sqs", Endpoint=queue_arn)
    return queue_arn
