# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole root sign-in alert stack of one account, in one process: validate, read, evaluate, gate, run the
plan's steps, re-read, return.

So an organization-wide run pays one module start per account instead of five or six. The settings are checked
in ``settings``, what to do is decided in ``plan`` (pure), what to tell in ``notices``; this file reads through
``delivery_reader`` and ``reads``, and runs each step through its manager, every one the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.rootwatch.aws.plugins.module_utils._core.arns import partition_for_region
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import BucketNotVerifiedError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import ForeignResourceError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.errors import UnsafeChangeError
from ansible_collections.rootwatch.aws.plugins.module_utils._core.managers import ResourceManager
from ansible_collections.rootwatch.aws.plugins.module_utils._alerts.samples import sample_email
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.bus import DEFAULT_TARGET_ID
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.delivery_reader import DeliveryPathReader
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.rule import replaced_target_arn
from ansible_collections.rootwatch.aws.plugins.module_utils._resources.topic import TopicManager
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import delivery_path
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict import hub as hub_mode
from ansible_collections.rootwatch.aws.plugins.module_utils._verdict.roles import with_role_checks
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import notices
from ansible_collections.rootwatch.aws.plugins.module_utils._stack import plan
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.reads import StackReader
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.reads import forwarding_roles
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import TARGET_ID
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.settings import validate_settings
from ansible_collections.rootwatch.aws.plugins.module_utils._stack.steps import resolve


class RootLoginAlertsStack(ResourceManager):
    """Read -> judge -> (write unless check mode) -> judge again, for the whole stack.

    Built like every manager (``managers``). It reads the delivery facts once (``delivery_reader``), lets each
    manager apply its part with what was read, and leaves every verdict to ``delivery_path.evaluate``.
    """

    def __init__(self, clients, region, check_mode=False, warn=None, account_id=None):
        super(RootLoginAlertsStack, self).__init__(clients, region, check_mode, warn, account_id)
        self._messages = []
        # What this run has changed so far, for the message of a failure part-way.
        self.progress = []
        # Each step's outcome, in order (key, outcome), and by key.
        self.outcomes = []
        self.done = {}

    def progress_note(self):
        return notices.progress_note(self.check_mode, self.progress)

    def _collect(self, message):
        if message not in self._messages:
            self._messages.append(message)

    def _manager(self, cls, warn=None, region=None):
        return cls(self.clients, region or self.region, self.check_mode, warn or self._collect, self.account_id)

    # -- the loop -----------------------------------------------------------------------
    def run(self, steps):
        """Each step of the plan in order (see ``plan``); the outcomes by key."""
        for item in steps:
            if item.get("when") is not None and not resolve(item["when"], self.done):
                continue
            if item["manager"] is None and "expand" in item:
                self.run(resolve(item["expand"], self.done))
                continue
            if item["manager"] is None:
                message = resolve(item["notice"], self.done)
                if message:
                    self._collect(message)
                continue
            outcome = self._apply(item)
            if item.get("read"):
                self.done[item["key"]] = outcome
                continue
            self.outcomes.append((item["key"], outcome))
            self.done[item["key"]] = outcome
            if not self.check_mode:
                self.progress.extend(outcome["changes"])
            # An apply stops before any write when a role it needs is missing, insufficient or unreadable.
            if item.get("gate") and outcome["blocking"] and not self.check_mode:
                raise UnsafeChangeError(notices.nothing_changed(self.account_id, outcome["message"]))
        return self.done

    def _apply(self, item):
        quiet = item.get("quiet") is not None and self.check_mode and resolve(item["quiet"], self.done)
        manager = self._manager(item["manager"], (lambda message: None) if quiet else None, item["region"])
        params = resolve(item["params"], self.done, self._callback)
        if item.get("method"):
            return getattr(manager, item["method"])(**params)
        try:
            return manager.ensure(params, known=resolve(item["known"], self.done))
        except ForeignResourceError as exc:
            # A manager cannot say where its name is set (a module and the stack name it differently); the step can.
            if not item.get("named_by"):
                raise
            raise ForeignResourceError(notices.name_is_set_by(exc, item["named_by"]))
        except BucketNotVerifiedError as exc:
            # An apply stops before the trail is pointed at the bucket; an audit (not a member's: its verdict is judged
            # in the report, from facts this cannot join) reports the account unknown.
            if not (item.get("unverified_bucket") and self.check_mode):
                raise
            return notices.unverified_trail(exc)

    def _callback(self, callback):
        def call(argument):
            self.run(callback.steps(argument))
            return resolve(callback.returns, self.done)

        return call

    def _refuse(self, foreign, roles=()):
        """The gates before the first write: a resource with our name that is not ours, a destination role that may not
        do its part (an apply only: an audit reports it)."""
        if foreign:
            raise ForeignResourceError(" ".join(foreign))
        for check in roles:
            if check["usable"] is False and not self.check_mode:
                raise UnsafeChangeError(notices.nothing_changed(self.account_id, "; ".join(check["problems"])))

    # -- entry ------------------------------------------------------------------------------
    def ensure(self, settings, known=None):
        settings = validate_settings(dict(settings))
        expected = settings.get("account_id")
        if expected and self.account_id != str(expected):
            raise UnsafeChangeError(notices.account_mismatch(self.account_id, expected))
        hub_role = hub_mode.role_of(settings, self.account_id) if settings.get("hub_account_id") else None
        # In hub mode the chat topic and the channels are the hub's only.
        ours = plan.ours(settings, self.account_id, self.region, chat=hub_role != hub_mode.MEMBER)
        where = {"account_id": self.account_id, "region": self.region, "partition": partition_for_region(self.region)}
        if settings.get("state", "present") == "absent":
            if hub_role == hub_mode.HUB and settings.get("defer_hub"):
                # Members first, hub last: the role removes the hub in a later task, after every member.
                result = notices.empty_result(hub_deferred=True)
            else:
                result = self._absent(settings, where, hub_role)
        elif hub_role == hub_mode.MEMBER and settings.get("retire_proof") is not None:
            result = self._retire(settings, ours, where, settings["retire_proof"])
        elif hub_role == hub_mode.MEMBER:
            result = self._member(settings, ours, where)
        else:
            result = self._present(settings, ours, where, hub=hub_role == hub_mode.HUB)
        if hub_role:
            result["hub_mode"] = hub_role
        result.update(account_id=self.account_id, region=self.region, topic_arn=ours["topic_arn"], rule_arn=ours["rule_arn"])
        for message in self._messages:
            self.warn(message)
        # A routing key read back from AWS (an older one: no_log masks only this run's values) is never shown.
        return notices.redact_routing_keys(result)

    def _present(self, settings, ours, where, hub=False):
        """Per-account mode, and the hub in hub mode."""
        reader, reads = self._manager(DeliveryPathReader), self._manager(StackReader)
        use_cis = bool(settings.get("cis_metric_filter"))
        credential_report = reads.start_credential_report(settings)
        facts = {"ours": ours, "delivery": reader.read(ours, cis=use_cis), "destinations": reads.destinations(settings, hub)}
        facts["delivery"].update(facts["destinations"]["facts"])
        facts["verdict"] = delivery_path.evaluate(facts["delivery"])
        result = notices.empty_result(compliance=facts["verdict"], pending_confirmation=[], subscriptions=[], pattern_tests=[])
        if use_cis:
            result["cis_cloudwatch1"] = notices.cloudwatch1(facts["delivery"])
        result.update(reads.root_credentials(settings, credential_report))
        if facts["verdict"]["status"] == delivery_path.UNKNOWN:
            if not self.check_mode:
                raise UnsafeChangeError(notices.failed_reads(self.account_id, facts["verdict"]["unknown"]))
            return result
        theirs = delivery_path.working_paths(facts["verdict"], ours=False)
        if theirs and settings.get("adopt_existing"):
            self._collect(notices.adopted(self.account_id, theirs))
            result["adopted"] = [dict(rule=p["rule"], topic=p["topic"]) for p in theirs]
            return result
        if theirs and not delivery_path.working_paths(facts["verdict"], ours=True):
            self._collect(notices.second_path(self.account_id, theirs, self.check_mode))
        rule_names = (facts["delivery"]["rules"] or {}).get("names") or []
        facts.update(profile_rules=reads.profile_rules(settings, facts["delivery"]["rules"]), hub=reads.hub_pieces(settings, reader) if hub else None,
                     queue=reads.queue(settings), regions=reads.regions(settings, rule_names))
        facts["forwarding_role"] = reads.forwarding_role(settings) if plan.wanted_arns((facts["regions"] or {}).get("rules")) else None
        self._refuse(plan.foreign(settings, facts, where), facts["destinations"]["roles"])
        done = self.run(plan.present(settings, facts, where, hub))
        profile_outcomes = [(entry["profile"], done["rule_" + entry["profile"]]) for entry in facts["profile_rules"]]
        if facts["regions"]:
            result["regions"] = notices.regions_summary(facts["regions"])
        notices.merge_outcomes(result, self.outcomes)
        # EventBridge itself judges a pattern this run wrote; an unchanged one (and check mode) is judged locally.
        if settings.get("verify", True):
            result.update(reads.pattern_tests(settings, done["rule"], profile_outcomes))
        if settings.get("send_test_notification") and not self.check_mode:
            self._manager(TopicManager).publish_test(ours["topic_arn"], notices.TEST_SUBJECT, notices.test_message(
                self.account_id, sample_email(self.region, self.account_id)))
        orphan = replaced_target_arn(done["rule"]["diff"], TARGET_ID)
        result.update(profile_rules=notices.profile_rules_summary(profile_outcomes), topic=done["topic"]["topic"],
                      subscriptions=done["subscriptions"]["subscriptions"], pending_confirmation=done["subscriptions"]["pending_endpoints"],
                      topic_policy=done["topic_policy"]["policy"], rule=done["rule"]["rule"], orphaned_topics=[orphan] if orphan else [],
                      trail=notices.trail_summary(settings, done))
        # Check mode judges the account as found; an apply that changed it judges it as it now stands.
        delivery = facts["delivery"]
        if result["changed"] and not self.check_mode:
            delivery = reader.read(ours, cis=use_cis)
            # The roles are never written: their judgement from before the writes stands.
            delivery.update(reads.destinations(settings, hub, verdict_only=True)["facts"], roles=facts["destinations"]["facts"].get("roles") or {})
            result["compliance"] = delivery_path.evaluate(delivery)
            if use_cis:
                result["cis_cloudwatch1"] = notices.cloudwatch1(delivery)
        result["compliance"] = notices.with_unverified_bucket(result["compliance"], done.get("trail"))
        # A role the run needs that is missing or may not do its part: needs_action (an apply stopped before writing).
        result["compliance"] = with_role_checks(result["compliance"], notices.role_checks(self.outcomes) + facts["destinations"]["roles"])
        result.update(notices.destination_summary(settings, facts["destinations"], done))
        result["profiles"] = reads.profile_verdicts(settings, delivery, facts["profile_rules"], facts["regions"], done)
        result["dead_letter_queue"] = notices.queue_summary(done["dead_letter_queue"], delivery, not self.check_mode, facts["profile_rules"], facts["hub"])
        if hub:
            result["hub"] = reads.hub_summary(settings, reader, delivery, facts["hub"], done, result["changed"])
        if result["pending_confirmation"] and not self.check_mode:
            self._collect(notices.pending_confirmation(self.account_id, result["pending_confirmation"], len(settings["emails"])))
        return result

    def _member(self, settings, ours, where):
        """A member in hub mode. Its verdict needs the hub's facts, so it is judged in the report
        (``hub_mode.member_verdict``); here it is ``unknown`` until then."""
        bus_arn = hub_mode.hub_bus_arn(settings, where["partition"])
        reader, reads = self._manager(DeliveryPathReader), self._manager(StackReader)
        credential_report = reads.start_credential_report(settings)
        facts = {"ours": ours, "delivery": reader.read(ours)}
        local_verdict = delivery_path.evaluate(facts["delivery"])
        result = notices.empty_result(pending_confirmation=[], subscriptions=[], pattern_tests=[])
        result.update(reads.root_credentials(settings, credential_report))
        facts["forwarding_role"] = reads.forwarding_role(settings)
        # The role's own ARN (a path of its own, if it has one), else the one the template gives it.
        role_arn = (facts["forwarding_role"]["role"] or {}).get("Arn") or hub_mode.forwarding_role_arn(settings, self.account_id)
        facts["queue"] = reads.queue(settings)
        # Every role a target to the hub bus uses: ours as the verifier read it (with its inline policy), others with GetRole.
        roles = dict(reader.read_roles(forwarding_roles(facts["delivery"], bus_arn, role_arn)))
        roles[role_arn] = facts["forwarding_role"]["role"]
        member_ours = {"rule_arns": [ours["rule_arn"]], "target_id": DEFAULT_TARGET_ID}
        checks = []
        # The member's own organization, for a hub bus that admits by aws:PrincipalOrgID (organization_id): one request,
        # only then. Without it an organization statement is judged unknown, a statement naming the account is not.
        organization = hub_mode.organization_summary(reader.read_organization()) if settings.get("organization_id") else None

        def summary(delivery, verdict, queue):
            member = hub_mode.member_summary(delivery, roles, settings, verdict, queue, member_ours, checks, organization)
            return {"member": member, "compliance": hub_mode.member_verdict(member, None)}

        failed = list(local_verdict["unknown"]) + [v["error"] for v in roles.values() if isinstance(v, dict) and v.get("error")]
        if failed:
            if not self.check_mode:
                raise UnsafeChangeError(notices.failed_reads(self.account_id, failed, member=True))
            result.update(summary(facts["delivery"], local_verdict, hub_mode.queue_summary({"facts": {}})))
            return result
        rule_names = (facts["delivery"]["rules"] or {}).get("names") or []
        facts.update(profile_rules=reads.profile_rules(settings, facts["delivery"]["rules"]), regions=reads.regions(settings, rule_names))
        self._refuse(plan.foreign(settings, facts, where, member=True))
        done = self.run(plan.member(settings, facts, where))
        checks.append(done["forwarding_role"]["role"])
        profile_outcomes = [(entry["profile"], done["rule_" + entry["profile"]]) for entry in facts["profile_rules"]]
        if facts["regions"]:
            result["regions"] = notices.regions_summary(facts["regions"])
        if settings.get("verify", True):
            result.update(reads.pattern_tests(settings, done["rule"], profile_outcomes))
        if settings.get("retire_account_topic"):
            # The move from per-account mode: the topic goes only once the hub path is proven in this run,
            # which needs the hub's result too; the role's later call (retire_proof) does it.
            result["retire_pending"] = True
        notices.merge_outcomes(result, self.outcomes)
        delivery = facts["delivery"]
        if result["changed"] and not self.check_mode:
            delivery = reader.read(ours)
            local_verdict = delivery_path.evaluate(delivery)
            roles.update(reader.read_roles(forwarding_roles(delivery, bus_arn, role_arn)))
        result.update(summary(delivery, local_verdict, notices.queue_summary(done["dead_letter_queue"], delivery, not self.check_mode,
                                                                             facts["profile_rules"])))
        result.update(rule=done["rule"]["rule"], profile_rules=notices.profile_rules_summary(profile_outcomes), trail=notices.trail_summary(settings, done),
                      orphaned_topics=[], forwarding_role_arn=done["forwarding_role"]["role_arn"], hub_bus_arn=bus_arn)
        return result

    def _retire(self, settings, ours, where, proof):
        """The member's own topic path, removed once its path through the hub is proven in this run (``proof``,
        judged on the controller from this member's and the hub's results); otherwise kept, with the reason."""
        result = {"changes": [], "diff": {"before": {}, "after": {}}, "retired": False}
        if settings.get("retire_account_topic") and not proof.get("proven"):
            self._collect(notices.retire_waits(ours["topic_arn"], proof.get("reason")))
        elif settings.get("retire_account_topic"):
            self.run(plan.retire(settings, where))
            result["retired"] = True
        return notices.merge_outcomes(result, self.outcomes)

    def _absent(self, settings, where, hub_role=None):
        """Remove what we can prove we created; keep everything else, and say why (``plan.absent``)."""
        done = self.run(plan.absent(settings, where, hub_role))
        result = {"changes": [], "diff": {"before": {}, "after": {}}, "rule": done["rule"]["rule"],
                  "subscriptions": (done.get("subscriptions") or {"subscriptions": []})["subscriptions"],
                  "trail": notices.removed_trail_summary(settings, done), "topic_kept_because": notices.topic_kept(done["found_topic"])(done)}
        return notices.merge_outcomes(result, self.outcomes)
