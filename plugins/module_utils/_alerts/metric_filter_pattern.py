# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CloudWatch Logs filter pattern of CIS root usage, and how a pattern found on a log group compares with it.

Pure functions. Security Hub CloudWatch.1 "fails if the exact metric filters prescribed by CIS are not
used. Additional fields or terms cannot be added to the metric filters" (Security Hub controls reference,
https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-1): only the
whitespace between terms may differ (:func:`pattern_match`). The same terms in another order mean the same,
but do not pass; :func:`pattern_reordered` tells the verdict so, so the user knows why.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The CIS v1.2.0 3.3 / v1.4.0 4.3 pattern. Security Hub's remediation prints the same
# terms without the spaces: {$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}
CIS_ROOT_USAGE_PATTERN = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'

_PATTERN_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|&&|\|\||!=|>=|<=|[{}()=<>]|[^\s{}()=!<>&|"]+')


def pattern_tokens(pattern):
    """The terms of a JSON filter pattern; whitespace separates terms and means nothing else."""
    text = (pattern or "").strip()
    tokens, position = [], 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        match = _PATTERN_TOKEN.match(text, position)
        if not match:  # a stray '!', '&' or '|': keep it as its own term, so it differs
            tokens.append(text[position])
            position += 1
            continue
        tokens.append(match.group(0))
        position = match.end()
    return tokens


def _and_clauses(tokens):
    """The clauses of ``{ c1 && c2 && ... }`` (no parentheses, no ``||``), else None."""
    if len(tokens) < 2 or tokens[0] != "{" or tokens[-1] != "}":
        return None
    inner = tokens[1:-1]
    if any(token in ("(", ")", "||", "{", "}") for token in inner):
        return None
    clauses, current = [], []
    for token in inner:
        if token == "&&":
            if not current:
                return None
            clauses.append(tuple(current))
            current = []
        else:
            current.append(token)
    if not current:
        return None
    clauses.append(tuple(current))
    return clauses


def pattern_match(actual, expected=CIS_ROOT_USAGE_PATTERN):
    """How ``actual`` matches ``expected``: 'exact', 'whitespace' or '' (no match).

    Only whitespace between terms may differ: terms in another order (:func:`pattern_reordered`),
    other quotes, parentheses or extra terms make a pattern that does not pass.
    """
    if actual is None:
        return ""
    if actual == expected:
        return "exact"
    if pattern_tokens(actual) == pattern_tokens(expected):
        return "whitespace"
    return ""


def pattern_reordered(actual, expected=CIS_ROOT_USAGE_PATTERN):
    """True when ``actual`` has the ANDed terms of ``expected`` in another order: the same meaning,
    but not the exact filter Security Hub asks for (said in the verdict, so the user knows why)."""
    if actual is None or pattern_match(actual, expected):
        return False
    left, right = _and_clauses(pattern_tokens(actual)), _and_clauses(pattern_tokens(expected))
    return left is not None and right is not None and sorted(left) == sorted(right)
