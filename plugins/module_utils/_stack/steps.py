# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a step of the plan is, and how a value known only once earlier steps ran is written. Pure.

A step names its ``key`` (its name in the result's ``diff`` and in the outcomes), the ``manager`` class, the
``region`` (None: the stack's), and the ``params`` and ``known`` of ``manager.ensure(params, known)``. Options the
stack's loop honours:

- ``gate``: an IAM role verification; a role that is missing or may not do its part stops an apply right there;
- ``quiet``: in check mode, no warnings from this step when it is true (a topic check mode would create);
- ``when``: run only when it is true;
- ``unverified_bucket``: an audit records a bucket S3 did not prove ours as ``unknown`` instead of failing;
- ``method``: a manager method other than ``ensure``, called with ``params`` as keywords: a read (``read``: its
  answer is kept under ``key`` for the steps after it, and changes nothing), or the one write that is not an
  ensure (a reused trail disconnected from the CIS log group).

A value known once earlier steps ran (an API destination's ARN, what a removal left) is a :class:`Later`: the loop
gives it the outcomes so far (``done``, {key: outcome}). A :class:`Callback` is a parameter the manager calls (the
trail's CloudWatch Logs hook): the loop runs its steps then. Two steps have no manager: a ``notice`` (a message
collected at that point of the run when it is not None), and an ``expand`` (the steps that depend on what was just
read, such as the Regions a removal finds).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class Later:
    """A value known once earlier steps ran: ``pick(done)``, ``done`` being {key: outcome} so far."""

    def __init__(self, pick):
        self.pick = pick


class Callback:
    """A parameter the manager calls with one argument: the loop runs ``steps(argument)``, then returns ``returns``."""

    def __init__(self, steps, returns):
        self.steps = steps
        self.returns = returns


def output(key, name):
    return Later(lambda done: done[key][name])


def deferred(function, *args):
    """``function(*args)`` once the :class:`Later` values among ``args`` are known."""
    return Later(lambda done: function(*resolve(args, done)))


def resolve(value, done, callback=None):
    """``value`` with every :class:`Later` replaced by its value (``callback(c)`` makes a :class:`Callback` callable);
    containers without one are returned as they are."""
    if isinstance(value, Later):
        return value.pick(done)
    if isinstance(value, Callback):
        return callback(value)
    if isinstance(value, (dict, list, tuple)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        resolved = [(key, resolve(item, done, callback)) for key, item in items]
        if all(new is value[key] for key, new in resolved):
            return value
        if isinstance(value, dict):
            return dict(resolved)
        return type(value)(new for unused, new in resolved)
    return value


def step(key, manager, params, known=None, region=None, **options):
    return dict(options, key=key, manager=manager, params=params, known=known, region=region)


def read(key, manager, method, region=None, **params):
    return step(key, manager, params, region=region, method=method, read=True)


def notice(pick):
    return {"key": None, "manager": None, "notice": Later(pick)}


def expand(pick):
    return {"key": None, "manager": None, "expand": Later(pick)}
