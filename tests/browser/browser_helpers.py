"""Helpers for the browser tests: accessibility checks with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

#: The axe-core rule tags that make up WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (bundled by axe-playwright-python) on the page; WCAG 2.x A and AA rules."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}, "resultTypes": ["violations"]},
    )
    return list(results.response["violations"])


def assert_accessible(page: Any) -> None:
    """Fail with a readable list when axe finds any WCAG A/AA violation on the page."""
    violations = axe_violations(page)
    if violations:
        lines = [f"{page.url}: {len(violations)} accessibility violation(s)"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1]}")
        pytest.fail("\n".join(lines))
