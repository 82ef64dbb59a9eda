"""EventBridge input templates: JSON strings, bare placeholders, meaning."""

import json

from ansible_collections.rootwatch.aws.plugins.module_utils._alerts import input_template as it


def test_escaped_quote_inside_template_string():
    left = it.canonical_template('{"msg": "say \\"<x>\\"", "v": <x>}')
    right = it.canonical_template('{"v": <x>, "msg": "say \\"<x>\\""}')
    assert left[0] == "json" and left == right


def test_non_json_template_compares_as_text():
    assert it.canonical_template("Root <x> signed in") == ("text", "Root <x> signed in")
    assert it.canonical_template('{"a": <x>}')[0] == "json"
    assert it.canonical_template(None) is None


def test_segments_tell_strings_from_the_rest():
    assert it.template_segments('"say \\"<y>\\""') == [("", False), ('"say \\"<y>\\"', True), ('"', False)]
    runs = it.template_segments('{"a": <x>, "b": "<y>"}')
    assert "".join(run for run, unused in runs) == '{"a": <x>, "b": "<y>"}'
    assert [run for run, in_string in runs if in_string] == ['"a', '"b', '"<y>']


def test_only_bare_placeholders_are_quoted():
    parsed = json.loads(it.quote_bare_placeholders('{"a": <x>, "b": "<y>"}'))
    assert it.placeholder_name(parsed["a"]) == "x"
    assert parsed["b"] == "<y>" and it.placeholder_name(parsed["b"]) is None


def test_quoting_can_be_limited_to_some_names():
    text = it.quote_bare_placeholders('{"a": <x>, "b": <y>}', names={"x"})
    assert text.endswith('"b": <y>}') and it.placeholder_name(json.loads(text.replace("<y>", "1"))["a"]) == "x"


def test_placeholder_name_of_other_values():
    assert it.placeholder_name(1) is None
    assert it.placeholder_name("plain text") is None
    assert it.placeholder_name(it.PLACEHOLDER_SENTINEL % "aws.events.event.ingestion-time") == "aws.events.event.ingestion-time"
