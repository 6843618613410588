"""SARIF 2.1.0 (for GitHub code scanning) and JUnit XML, written by gpukit from its own
:class:`~gpukit.iac.results.Scan`, not by checkov's writers.

SARIF: ``tool.driver`` is gpukit with its version and one rule per check that produced a
result (help text, a help URI into the docs for the gpukit checks, checkov's guideline for
its own); a failed check is a ``fail`` result at level ``error`` whose message is the
reason, a skipped one carries an in-source suppression with its justification, an unknown
one is a ``review`` result. Locations are relative to the repository root
(``%SRCROOT%``); every result has a ``partialFingerprints`` entry stable across line moves.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from gpukit import __version__
from gpukit.iac.results import Result, Scan, repo_root
from gpukit.policies.checkov.catalog import BY_ID
from gpukit.policies.rules import get_rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URL = "https://github.com/gpukit/gpukit/blob/main/docs/"
FINGERPRINT = "gpukitResult/v1"


def _help(result: Result) -> tuple[str, str | None]:
    """(help text, help URI) for the check that produced ``result``."""
    spec = BY_ID.get(result.check_id)
    if spec is not None:
        rule_id, page = spec.rule_id, spec.docs
        if rule_id is None:
            text = f"{result.check_name}. Judged by policies/iam.py (wildcard_problems)."
        else:
            rule = get_rule(rule_id)
            text = f"{result.check_name}. Asks gpukit rule {rule_id} ({rule.name}): {rule.summary}"
        return text, DOCS_URL + page
    guideline = result.guideline if (result.guideline or "").startswith("http") else None
    return f"{result.check_name} (a checkov built-in check).", guideline


def _rule(result: Result) -> dict[str, Any]:
    text, uri = _help(result)
    rule: dict[str, Any] = {
        "id": result.check_id,
        "name": result.check_id,
        "shortDescription": {"text": result.check_name},
        "fullDescription": {"text": text},
        "help": {"text": text if uri is None else f"{text} See {uri}"},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["gpukit" if result.check_id in BY_ID else "checkov"]},
    }
    if uri is not None:
        rule["helpUri"] = uri
    return rule


def _location(result: Result) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": result.file, "uriBaseId": "%SRCROOT%"}}
    start, end = result.lines
    if start >= 1:
        physical["region"] = {"startLine": start, "endLine": max(end, start)}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"fullyQualifiedName": result.resource, "kind": "resource"}],
    }


def fingerprint(result: Result) -> str:
    """Stable across line moves: the check, the resource address and the file."""
    key = "\x1f".join((result.check_id, result.resource, result.file))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _text(result: Result, why: str) -> str:
    """``<resource>: <why>``, without repeating the address a reason already starts with."""
    return why if why.startswith(f"{result.resource}:") else f"{result.resource}: {why}"


def _sarif_result(result: Result, index: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ruleId": result.check_id,
        "ruleIndex": index,
        "kind": "review" if result.result == "unknown" else "fail",
        "level": "none" if result.result == "unknown" else "error",
        "message": {"text": _text(result, result.reason)},
        "locations": [_location(result)],
        "partialFingerprints": {FINGERPRINT: fingerprint(result)},
        "properties": {"resource": result.resource, "result": result.result},
    }
    if result.result == "skipped":
        why = "; ".join(result.details) or result.check_name
        body["message"] = {"text": _text(result, why)}
        body["suppressions"] = [
            {"kind": "inSource", "justification": result.suppress_comment or "no reason given"}
        ]
    return body


def sarif_document(scan: Scan, source: str) -> dict[str, Any]:
    """The SARIF log of ``scan``: failed, skipped and unknown results (passes are not
    alerts)."""
    shown = [r for r in scan.results if r.result != "passed"]
    rules: dict[str, int] = {}
    rule_list: list[dict[str, Any]] = []
    for result in shown:
        if result.check_id not in rules:
            rules[result.check_id] = len(rule_list)
            rule_list.append(_rule(result))
    root = repo_root(_first_path(source))
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gpukit",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": DOCS_URL + "terraform.md",
                        "rules": rule_list,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "results": [_sarif_result(r, rules[r.check_id]) for r in shown],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def _first_path(source: str) -> Path:
    return Path(source.split(", ")[0])


def junit_document(scan: Scan, source: str) -> ET.Element:
    """JUnit XML: one test case per result; a failure's message and text hold the reason;
    skipped and unknown results are ``<skipped>`` with theirs."""
    suites = ET.Element("testsuites")
    counts = scan.summary()
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"gpukit check {source}",
        tests=str(len(scan.results)),
        failures=str(counts["failed"]),
        skipped=str(counts["skipped"] + counts["unknown"]),
        errors="0",
    )
    for result in scan.results:
        case = ET.SubElement(
            suite,
            "testcase",
            name=f"{result.check_id} {result.check_name}: {result.resource}",
            classname=f"{result.file}.{result.resource}",
            file=result.file,
        )
        where = f"{result.file}:{result.lines[0]}" if result.lines[0] else result.file
        if result.result == "failed":
            failure = ET.SubElement(case, "failure", type="failure", message=result.reason)
            failure.text = f"{result.resource} ({where}): {result.reason}"
        elif result.result in ("skipped", "unknown"):
            message = result.reason if result.result == "skipped" else f"unknown: {result.reason}"
            ET.SubElement(case, "skipped", message=message)
    return suites


def as_junit(scan: Scan, source: str) -> str:
    element = junit_document(scan, source)
    ET.indent(element)
    return ET.tostring(element, encoding="unicode", xml_declaration=True)
