"""Accessibility checks of a page with axe-core, in the page itself.

axe-core is a development dependency from the npm registry (``package.json``; ``make assets``
installs it into ``node_modules``). The test reads ``axe.min.js`` from there and evaluates it in
the page through the DevTools protocol, which the page's Content-Security-Policy does not apply
to: the app never serves it, and the page is checked with its real CSP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: Violations of these impacts fail a test; the others are printed.
FAILING = ("serious", "critical")


def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail("axe-core is not installed in node_modules: run `make assets` first")
    return AXE.read_text(encoding="utf-8")


def describe(violation: dict[str, Any]) -> str:
    """One violation: its rule, impact, help text and the CSS selectors of its nodes."""
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
    return (
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        f" [{violation['helpUrl']}]\n    nodes: {targets}"
    )


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every violation axe-core finds in the page as it is now (rules of its default run)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate(
        "async () => { const r = await axe.run(document); return r.violations.map("
        "v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,"
        " nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})); }"
    )
    return list(result)


def assert_accessible(page: Any) -> list[dict[str, Any]]:
    """Fail on a serious or critical violation, naming each; returns all the violations found
    (moderate and minor ones are printed, not failed)."""
    violations = axe_violations(page)
    for violation in violations:
        print("axe:", describe(violation))
    failing = [v for v in violations if v["impact"] in FAILING]
    assert not failing, "axe-core found serious or critical violations:\n" + "\n".join(
        describe(v) for v in failing
    )
    return violations
