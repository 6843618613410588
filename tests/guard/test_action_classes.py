"""Each action is one class (name, permissions, dry-run wording, metric, run); the planner,
runner and handler reach actions only through those classes, and statuses are an enum
whose serialized values are the strings reports and audit records always held."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from gpukit.guard import iam
from gpukit.guard.actions import ACTIONS, BY_NAME, permissions
from gpukit.guard.actions.mark import MarkAction
from gpukit.guard.actions.notify import NotifyAction
from gpukit.guard.audit import KINDS, MARK, NOTICE
from gpukit.policies.report import ActionRecord, Report, Status

GUARD = Path(__file__).resolve().parents[2] / "guard"


def test_the_four_actions_each_hold_their_own_name_wording_and_metric():
    assert [a.name for a in ACTIONS] == ["notify", "mark", "unmark", "teardown"]
    assert {a.name: a.metric for a in ACTIONS} == {
        "notify": "NotifyDone",
        "mark": "MarkDone",
        "unmark": "UnmarkDone",
        "teardown": "TeardownDone",
    }
    assert BY_NAME["teardown"].dry_run == "would snapshot to the audit store, then delete"
    assert BY_NAME["mark"].dry_run == "would write gpukit:marked"
    assert BY_NAME["unmark"].dry_run == "would remove gpukit:marked"
    assert BY_NAME["notify"].dry_run == "would publish to the SNS topic"


def test_the_guards_permissions_are_the_actions_own():
    assert permissions() == [p for a in ACTIONS for p in a.permissions]
    assert BY_NAME["notify"].permissions[0].action == "sns:Publish"
    assert all(p in iam.PERMISSIONS for p in permissions())
    deletes = {p.action for p in BY_NAME["teardown"].permissions if p.effect == "Allow"}
    assert deletes == {"bedrock:DeleteProvisionedModelThroughput", "sagemaker:DeleteEndpoint"}


def test_planner_runner_and_handler_spell_no_action_name_and_no_status():
    quoted = re.compile(r"""["'](notify|mark|unmark|teardown|done|skipped|blocked)["']""")
    for name in ("plan.py", "runner.py", "handler.py", "step.py"):
        code = (GUARD / name).read_text(encoding="utf-8")
        assert not quoted.findall(code), name


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_outside_its_class_no_guard_module_spells_an_action_name_or_permission():
    """Only ``guard/actions`` names actions and their IAM permissions (the guard and the
    CLI take them from the classes); the audit store's record kinds (``audit.Kind``, with
    ``NOTICE`` and ``MARK``) are its own vocabulary."""
    names = {a.name for a in ACTIONS}
    perms = {p.action for a in ACTIONS for p in a.permissions}
    found = []
    for path in sorted([*GUARD.rglob("*.py"), *(GUARD.parent / "gpukit").rglob("*.py")]):
        if path.parent.name == "actions":
            continue
        for line, value in _string_constants(path):
            is_name = value in names and not (path.name == "audit.py" and value in KINDS)
            if is_name or value in perms:
                found.append(f"{path.relative_to(GUARD.parent)}:{line}: {value!r}")
    assert found == []
    assert (NotifyAction.name, MarkAction.name) == (NOTICE, MARK)


def test_statuses_serialize_to_the_strings_reports_and_audits_hold():
    assert [s.value for s in Status] == ["done", "error", "skipped", "blocked", "dry-run"]
    record = ActionRecord(resource_arn="a", action="mark", status=Status.DRY_RUN)
    assert record.model_dump(mode="json")["status"] == "dry-run"
    assert json.loads(json.dumps(record.model_dump()))["status"] == "dry-run"
    assert ActionRecord.model_validate({"resource_arn": "a", "action": "x", "status": "done"})


def test_the_summary_counts_each_action_by_status():
    report = Report(
        run_id="r1",
        mode="apply",
        resources=2,
        actions=[
            ActionRecord(resource_arn="a", action="mark", status=Status.DONE),
            ActionRecord(resource_arn="b", action="mark", status=Status.DONE),
            ActionRecord(resource_arn="b", action="notify", status=Status.ERROR),
        ],
    )
    summary = report.summary()
    assert summary["actions"] == {"mark:done": 2, "notify:error": 1}
    assert (summary["run_id"], summary["mode"], summary["resources"]) == ("r1", "apply", 2)
