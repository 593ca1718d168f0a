"""The README and docs/ say what exists: every link and anchor between them resolves, the
configuration page names every environment key, the operations page every ``borderwatch``
command, the API page every route; the role guides have the same pages in Thai and English, and
each language's index links them all. Nothing here needs the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDES = DOCS / "guide"
PAGES = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
SCREENSHOT = re.compile(r"(\.\./)+screenshots/[a-z0-9][a-z0-9_-]*\.png")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def without_code_blocks(markdown: str) -> str:
    return re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[^\w\- ]", "", plain.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(h) for h in HEADING.findall(without_code_blocks(text(path)))}


def local_links(path: Path) -> Iterator[str]:
    for target in LINK.findall(without_code_blocks(text(path))):
        if not re.match(r"[a-z]+:", target):
            yield target


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_anchor_resolves(page):
    broken = []
    for target in local_links(page):
        file_part, _, fragment = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        if SCREENSHOT.fullmatch(file_part):
            continue  # taken for the guides separately; the app leaves out missing ones
        missing_anchor = fragment and dest.suffix == ".md" and fragment not in anchors(dest)
        if not dest.exists() or missing_anchor:
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)} links to what does not exist: {broken}"


def test_the_configuration_page_names_every_environment_key():
    from webapp.config import ENV_KEYS

    page = text(DOCS / "configuration.md")
    example = [
        line.split("=", 1)[0]
        for line in text(ROOT / ".env.example").splitlines()
        if line and not line.startswith("#")
    ]
    missing = [key for key in (*ENV_KEYS, *example) if f"`{key}`" not in page]
    assert not missing, f"docs/configuration.md does not name {missing}"


def commands(group: click.Command, prefix: str = "") -> Iterator[str]:
    name = f"{prefix}{group.name}"
    if isinstance(group, click.Group):
        for sub in group.commands.values():
            yield from commands(sub, name + " ")
    else:
        yield name


def test_the_operations_page_names_every_command():
    from webapp.cli import COMMANDS

    page = text(DOCS / "operations.md")
    section = page[page.index("## Command line") :]
    missing = [
        name
        for command in COMMANDS
        for name in commands(command)
        if not re.search(rf"(borderwatch |`){re.escape(name)}\b", section)
    ]
    assert not missing, f"docs/operations.md's Command line does not name {missing}"


def rule_pattern(rule: str) -> re.Pattern[str]:
    """A route's rule as the API page writes it: each ``<variable>`` as any ``<name>`` (or the
    formats it takes, ``geojson\\|csv\\|gpkg``), the path ending there."""
    parts = re.split(r"<[^>]+>", rule)
    variable = r"(?:<[a-z_]+>|[a-z]+(?:\\\|[a-z]+)*)"
    return re.compile(variable.join(map(re.escape, parts)) + r"(?![\w/<-])")


def test_the_api_page_names_every_route():
    from webapp import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",  # never connected to
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    page = text(DOCS / "api.md")
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}
    missing = sorted(rule for rule in rules if not rule_pattern(rule).search(page))
    assert not missing, f"docs/api.md does not name {missing}"


def guide_pages(lang: str) -> set[str]:
    return {p.stem for p in (GUIDES / lang).glob("*.md")}


def test_the_guides_have_the_same_pages_in_thai_and_english():
    assert guide_pages("th") == guide_pages("en")
    assert {"index", "officer", "coordinator", "planner", "analyst", "administrator"} <= (
        guide_pages("en")
    )
    assert "public-report" in guide_pages("en")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_each_index_links_every_guide_of_its_language(lang):
    linked = {t.removesuffix(".md") for t in local_links(GUIDES / lang / "index.md")}
    assert guide_pages(lang) - {"index"} <= linked


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_guides_link_only_guides_and_screenshots(lang):
    # the app rewrites exactly these two kinds of link (webapp/help/guide.py)
    for page in (GUIDES / lang).glob("*.md"):
        for target in local_links(page):
            assert re.fullmatch(r"[a-z][a-z0-9-]*\.md", target) or SCREENSHOT.fullmatch(target), (
                f"{page.relative_to(ROOT)}: {target}"
            )
