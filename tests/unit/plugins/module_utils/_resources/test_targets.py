"""EventBridge targets: validation, comparison by meaning, merge."""

import pytest

from ansible_collections.rootwatch.aws.plugins.module_utils._resources import targets as et

TOPIC = "arn:aws:sns:us-east-1:111111111111:root-login-alerts"
QUEUE = "arn:aws:sqs:us-east-1:111111111111:dlq"


def target(**extra):
    base = {"id": "t1", "arn": TOPIC}
    base.update(extra)
    return base


EQUAL = [
    ("input key order", target(input='{"a": 1, "b": [1, 2]}'), target(input={"b": [1, 2], "a": 1})),
    ("input spacing", target(input='{"a":1}'), target(input='{ "a" : 1 }')),
    ("template JSON key order",
     target(input_transformer={"input_paths_map": {"x": "$.a"}, "input_template": '{"k": <x>, "m": "<x>"}'}),
     target(input_transformer={"input_paths_map": {"x": "$.a"}, "input_template": '{ "m":"<x>",\n "k":<x> }'})),
    ("template text with whitespace",
     target(input_transformer={"input_paths_map": {}, "input_template": '"Root sign-in <x>"'}),
     target(input_transformer={"input_template": ' "Root sign-in <x>"\n'})),
    ("retry policy default", target(), target(retry_policy={"maximum_retry_attempts": 185, "maximum_event_age_in_seconds": 86400})),
]


@pytest.mark.parametrize("label,left,right", EQUAL, ids=[c[0] for c in EQUAL])
def test_equal_targets(label, left, right):
    assert et.targets_equal(et.to_api(left), et.to_api(right)), label


DIFFERENT = [
    ("input value", target(input={"a": 1}), target(input={"a": 2})),
    ("template text", target(input_transformer={"input_template": '"a <x>"'}), target(input_transformer={"input_template": '"b <x>"'})),
    ("template placeholder quoting",
     target(input_transformer={"input_template": '{"k": <x>}'}),
     target(input_transformer={"input_template": '{"k": "<x>"}'})),
    ("paths map", target(input_transformer={"input_paths_map": {"x": "$.a"}, "input_template": "<x>"}),
     target(input_transformer={"input_paths_map": {"x": "$.b"}, "input_template": "<x>"})),
    ("arn", target(), target(arn=TOPIC + "-2")),
    ("dead letter", target(), target(dead_letter_arn=QUEUE)),
    ("retry policy", target(), target(retry_policy={"maximum_retry_attempts": 3})),
    ("input vs none", target(), target(input={"a": 1})),
]


@pytest.mark.parametrize("label,left,right", DIFFERENT, ids=[c[0] for c in DIFFERENT])
def test_different_targets(label, left, right):
    assert not et.targets_equal(et.to_api(left), et.to_api(right)), label


INVALID = [
    ("bad id", [target(id="has space")], "targets[0].id"),
    ("duplicate id", [target(), target()], "duplicate target id"),
    ("bad arn", [target(arn="not-an-arn")], "targets[0] (id t1).arn is not an ARN"),
    ("two inputs", [target(input="{}", input_path="$.detail")], "mutually exclusive"),
    ("input not JSON", [target(input="{nope")], "input is not valid JSON"),
    ("template missing", [target(input_transformer={"input_paths_map": {}})], "input_template is required"),
    ("path not JSONPath", [target(input_transformer={"input_paths_map": {"a": "detail"}, "input_template": "<a>"})],
     "must be a JSON path"),
    ("dead letter not sqs", [target(dead_letter_arn=TOPIC)], "dead_letter_arn must be the ARN of an SQS queue"),
    ("retry attempts", [target(retry_policy={"maximum_retry_attempts": 200})], "0-185"),
    ("event age", [target(retry_policy={"maximum_event_age_in_seconds": 10})], "60-86400"),
]


@pytest.mark.parametrize("label,targets,message", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_targets(label, targets, message):
    with pytest.raises(ValueError) as err:
        et.validate_targets(targets)
    assert message in str(err.value), label


def api(target_id, arn=TOPIC, **extra):
    return et.to_api(dict(id=target_id, arn=arn, **extra))


PLANS = [
    ("no-op", [api("a")], [api("a")], False, [], []),
    ("add", [], [api("a")], False, ["a"], []),
    ("foreign kept", [api("a"), api("other", QUEUE)], [api("a")], False, [], []),
    ("foreign purged", [api("a"), api("other", QUEUE)], [api("a")], True, [], ["other"]),
    ("changed input", [api("a", input={"x": 1})], [api("a", input={"x": 2})], False, ["a"], []),
    ("equivalent input", [api("a", input='{"x":1,"y":2}')], [api("a", input={"y": 2, "x": 1})], False, [], []),
]


@pytest.mark.parametrize("label,current,desired,purge,put_ids,remove_ids", PLANS, ids=[p[0] for p in PLANS])
def test_plan_targets(label, current, desired, purge, put_ids, remove_ids):
    to_put, to_remove, final = et.plan_targets(current, desired, purge=purge)
    assert [t["Id"] for t in to_put] == put_ids, label
    assert to_remove == remove_ids, label
    expected_final = sorted(set(t["Id"] for t in current if t["Id"] not in remove_ids) | set(t["Id"] for t in desired))
    assert [t["Id"] for t in final] == expected_final


def test_plan_remove_all():
    to_put, to_remove, final = et.plan_targets([api("a"), api("b")], [], remove_all=True)
    assert (to_put, to_remove, final) == ([], ["a", "b"], [])


def test_api_round_trip():
    original = target(
        role_arn="arn:aws:iam::111111111111:role/events",
        input_transformer={"input_paths_map": {"x": "$.a"}, "input_template": "<x>"},
        dead_letter_arn=QUEUE,
        retry_policy={"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 600},
    )
    assert et.from_api(et.to_api(original)) == original
