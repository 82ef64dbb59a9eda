# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for check-mode predictions and ``--diff`` output."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ValidationError


def canonical_json(value):
    """A stable text form of a JSON value: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def parse_json_text(value, what):
    """Decode JSON text, or return a dict/list unchanged; raise ValueError naming ``what``."""
    if isinstance(value, (dict, list)):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError("%s is not valid JSON: %s" % (what, exc))


def make_diff(before, after):
    """The ``diff`` result key: Ansible renders dict sides as indented JSON."""
    return {"before": before if before is not None else {}, "after": after if after is not None else {}}
