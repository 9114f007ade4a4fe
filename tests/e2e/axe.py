"""axe-core in the browser tests: WCAG 2.1 A and AA rules on the page as it is shown.

axe-core is vendored in tests/e2e/vendor/axe-core (the version is in its README); no CDN at run
time. The app's Content-Security-Policy (`script-src 'self'`) blocks the inline <script> that
Playwright's add_script_tag makes, so the source is evaluated through the DevTools protocol,
which the policy does not govern; the page itself keeps its policy."""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}


@cache
def axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations of the page as it is now (all impacts)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        WCAG_21_AA,
    )


def duplicate_ids(page) -> list[dict]:
    """Ids used twice, reported like axe's violations: axe 4.14 no longer checks them (WCAG 2.2
    dropped 4.1.1), yet a label's `for` and aria-describedby reach only the first of them.
    Hidden inputs (a CSRF token per row form) are nobody's label target and are left out."""
    repeated = page.evaluate(
        """() => {
            const seen = new Map();
            const shown = document.querySelectorAll("[id]:not(input[type=hidden])");
            shown.forEach((e) => seen.set(e.id, (seen.get(e.id) || 0) + 1));
            return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
        }"""
    )
    if not repeated:
        return []
    return [
        {
            "id": "duplicate-id",
            "impact": "serious",
            "help": "id attribute values must be unique",
            "targets": [f"#{value}" for value in repeated],
        }
    ]


def serious_violations(page, allowed: frozenset[str] | set[str] = frozenset()) -> list[dict]:
    """The violations of impact serious or critical, less the rule ids in `allowed`."""
    return [
        violation
        for violation in run_axe(page) + duplicate_ids(page)
        if violation["impact"] in FAILING_IMPACTS and violation["id"] not in allowed
    ]


def describe(violations: list[dict], context: str) -> str:
    """One line per rule: id, impact, help, then the selectors of the offending elements."""
    lines = [f"{context}: {len(violations)} serious or critical accessibility violation(s)"]
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"      {target}" for target in violation["targets"][:10])
        if len(violation["targets"]) > 10:
            lines.append(f"      … and {len(violation['targets']) - 10} more")
    return "\n".join(lines)


def check_accessibility(page, context: str, allowed=frozenset()) -> None:
    """Fail when axe finds a serious or critical WCAG 2.1 A/AA violation on the page;
    `context` names the page in the message, `allowed` lists rule ids not to fail on."""
    violations = serious_violations(page, allowed)
    assert not violations, describe(violations, context)
