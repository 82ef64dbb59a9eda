# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EventBridge input templates (an InputTransformer's ``InputTemplate``): placeholders, JSON strings, meaning.

Pure functions, no I/O. A placeholder is ``<name>``; EventBridge inserts its value as a JSON value when it
stands outside a JSON string, and as text inside one. To parse a template as JSON, the bare placeholders
are replaced by a quoted sentinel that no event value can spell (it holds a NUL).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

PLACEHOLDER_RE = re.compile(r"<([A-Za-z0-9_.\-$\[\]]+)>")
PLACEHOLDER_SENTINEL = "\u0000rootwatch-placeholder:%s\u0000"
_SENTINEL_RE = re.compile("^%s$" % re.escape(PLACEHOLDER_SENTINEL).replace(re.escape("%s"), "(.+)"))


def template_segments(text):
    """Split a template into runs of ``(text, inside_a_json_string)``, in order."""
    segments, start, in_string, escaped = [], 0, False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                segments.append((text[start:index], True))
                start, in_string = index, False
        elif char == '"':
            segments.append((text[start:index], False))
            start, in_string = index, True
    segments.append((text[start:], in_string))
    return segments


def quote_bare_placeholders(text, names=None):
    """Replace placeholders outside JSON strings by a unique quoted sentinel, so the text parses.

    ``names``: only the placeholders in it (a container); None for all of them.
    """
    def sentinel(match):
        if names is not None and match.group(1) not in names:
            return match.group(0)
        return json.dumps(PLACEHOLDER_SENTINEL % match.group(1))

    return "".join(run if in_string else PLACEHOLDER_RE.sub(sentinel, run) for run, in_string in template_segments(text))


def placeholder_name(value):
    """The placeholder a parsed value stands for (a sentinel left by :func:`quote_bare_placeholders`), or None."""
    whole = _SENTINEL_RE.match(value) if isinstance(value, str) else None
    return whole.group(1) if whole else None


def canonical_template(template):
    """An input template's meaning: JSON (placeholders kept) when it parses as JSON, else its text.

    ``{"a": <x>, "b": "<y>"}`` and ``{ "b":"<y>","a":<x> }`` are the same template;
    ``"Sign-in from <ip>"`` (a JSON string) equals its text; other text compares as text.
    """
    if template is None:
        return None
    text = template.strip()
    try:
        return ("json", json.dumps(json.loads(quote_bare_placeholders(text)), sort_keys=True, separators=(",", ":")))
    except ValueError:
        return ("text", text)
