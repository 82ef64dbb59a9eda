# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: the fragments may change with any release.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # A module of the action group (meta/runtime.yml) that manages AWS resources from where it runs: the
    # present/absent state, and its attributes (full check and diff mode, any platform, the action group) with
    # ansible.builtin.action_common_attributes's descriptions written out, so that the module lists no other
    # fragment for them (a fragment cannot extend another, and ansible-test wants literal texts).
    # A module that says what absent removes writes its own description of state; one with other states
    # (eventbridge_rule) writes the whole option. A module's own attribute description (what its check mode
    # predicts, what its diff holds) wins over these.
    DOCUMENTATION = r"""
options:
  state:
    description:
      - V(present) makes sure the resource exists as described; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target, if not supported the action will be skipped.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode
    support: full
  platform:
    description: Target OS/families that can be operated against
    support: N/A
    platforms: all
  action_group:
    description: Action is part of action_group(s), for convenient setting of module_defaults.
    support: full
    membership:
      - rootwatch.aws.rootwatch
"""
