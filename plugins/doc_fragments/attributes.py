# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: the fragments may change with any release.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The attributes of a module of the action group are in rootwatch.aws.resource_module, beside its state option:
    # ansible-test wants literal fragment texts, so each text has one fragment and a module lists as few as it can.
    # These are the modules whose attributes differ. Their descriptions come from
    # ansible.builtin.action_common_attributes, listed beside them; a module that says more writes its own.

    # An action that runs on the controller (root_alerts_report) and describes each attribute itself.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: all
"""

    # An info module of the action group: it writes nothing, so check mode changes nothing and there is no diff.
    # Use with ansible.builtin.action_common_attributes and its ACTIONGROUPS.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - rootwatch.aws.rootwatch
"""

    # The action group alone, for a module that still lists it beside rootwatch.aws.resource_module, which carries it.
    ACTION_GROUP = r"""
options: {}
attributes:
  action_group:
    support: full
    membership:
      - rootwatch.aws.rootwatch
"""
