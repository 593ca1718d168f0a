"""The role guides: ``docs/guide/<lang>/<page>.md`` rendered to HTML, and their screenshots.

Markdown is rendered by markdown-it-py in CommonMark mode with tables and with raw HTML off: a
``<script>`` or ``<img onerror>`` written in a guide reaches the reader as text, and links with
``javascript:`` or other unsafe schemes are left as text too (markdown-it's link check). The
guides link to each other as ``officer.md`` and to screenshots as ``../../screenshots/<name>.png``
(so they read well on the repository's site as well); :func:`render` rewrites those links with
the callables it is given, and leaves out an image whose screenshot does not exist yet. Table
cells lose their ``style`` attribute (column alignment), which the Content-Security-Policy would
refuse.

Flask-free: the blueprint (:mod:`webapp.help.views`) gives the URLs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from webapp.config import ROOT

#: The guides, one folder per language (``th``, ``en``), the same page names in each.
GUIDES = ROOT / "docs" / "guide"
#: The screenshots the guides show; only ``*.png`` files are served.
SCREENSHOTS = ROOT / "docs" / "screenshots"
#: The page every language folder has, shown at ``/help``.
INDEX = "index"

PAGE_NAME = re.compile(r"[a-z][a-z0-9-]{0,63}")
SCREENSHOT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,127}")
GUIDE_LINK = re.compile(r"([a-z][a-z0-9-]{0,63})\.md(#[A-Za-z0-9_-]*)?")
SCREENSHOT_LINK = re.compile(r"(?:\.\./)+screenshots/([a-z0-9][a-z0-9_-]{0,127})\.png")


@dataclass(frozen=True)
class Guide:
    """A rendered guide page.

    Attributes:
        name: the page's name (``officer``; ``index`` for the list of guides).
        lang: the language it is written in.
        title: the text of its first level-1 heading (the name if it has none).
        html: its body as HTML, safe to insert in a page.
    """

    name: str
    lang: str
    title: str
    html: Markup


def _table_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrSet("class", "bw-table")
    return '<div class="bw-table-wrap">' + renderer.renderToken(tokens, idx, options, env)


def _table_close(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return renderer.renderToken(tokens, idx, options, env) + "</div>"


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


MARKDOWN = _markdown()


def guide_languages(root: Path | None = None) -> tuple[str, ...]:
    """The languages that have guides (folders with an index page) under ``root`` (default
    :data:`GUIDES`), in name order."""
    root = root or GUIDES
    return tuple(
        sorted(p.name for p in root.iterdir() if (p / f"{INDEX}.md").is_file())
        if root.is_dir()
        else ()
    )


def page_file(lang: str, name: str, root: Path | None = None) -> Path | None:
    """The Markdown file of page ``name`` in ``lang`` under ``root`` (default :data:`GUIDES`),
    or ``None`` when there is none.

    Only plain names (``officer``, ``public-report``) are looked up, so that no name can reach
    a file outside the language's folder.
    """
    if not PAGE_NAME.fullmatch(name) or not PAGE_NAME.fullmatch(lang):
        return None
    path = (root or GUIDES) / lang / f"{name}.md"
    return path if path.is_file() else None


def screenshot_file(name: str, root: Path | None = None) -> Path | None:
    """The PNG file of screenshot ``name`` (without ``.png``) in ``root`` (default
    :data:`SCREENSHOTS`), or ``None`` when there is none."""
    if not SCREENSHOT_NAME.fullmatch(name):
        return None
    path = (root or SCREENSHOTS) / f"{name}.png"
    return path if path.is_file() else None


def _rewrite(
    tokens: list[Token],
    page_url: Callable[[str], str],
    screenshot_url: Callable[[str], str | None],
) -> list[Token]:
    """``tokens`` with the guides' links and images pointed at the app's URLs."""
    kept = []
    for token in tokens:
        if token.children:
            token.children = _rewrite(token.children, page_url, screenshot_url)
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            found = GUIDE_LINK.fullmatch(href)
            if found:
                token.attrSet("href", page_url(found.group(1)) + (found.group(2) or ""))
        elif token.type == "image":
            found = SCREENSHOT_LINK.fullmatch(str(token.attrGet("src") or ""))
            url = screenshot_url(found.group(1)) if found else None
            if url is None:
                continue  # a screenshot not taken yet, or an image from elsewhere
            token.attrSet("src", url)
        elif token.type in ("th_open", "td_open"):
            token.attrs.pop("style", None)
        kept.append(token)
    return kept


def _drop_empty_paragraphs(tokens: list[Token]) -> list[Token]:
    """``tokens`` without the paragraphs left empty (a screenshot left out was all they held)."""
    kept: list[Token] = []
    for token in tokens:
        if token.type == "paragraph_close" and len(kept) >= 2:
            inline, opening = kept[-1], kept[-2]
            if opening.type == "paragraph_open" and inline.type == "inline" and not inline.children:
                del kept[-2:]
                continue
        kept.append(token)
    return kept


def _title(tokens: list[Token]) -> str | None:
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return tokens[i + 1].content
    return None


def render(
    text: str,
    page_url: Callable[[str], str],
    screenshot_url: Callable[[str], str | None],
) -> tuple[str | None, Markup]:
    """A guide's Markdown as HTML.

    Args:
        text: the Markdown.
        page_url: the URL of another guide page by its name (``index`` for the list).
        screenshot_url: the URL of a screenshot by its name, or ``None`` to leave it out.

    Returns:
        The title (the first level-1 heading, if any) and the HTML.
    """
    env: EnvType = {}
    tokens = _drop_empty_paragraphs(_rewrite(MARKDOWN.parse(text, env), page_url, screenshot_url))
    html = MARKDOWN.renderer.render(tokens, MARKDOWN.options, env)
    # markdown-it escaped all text of our own guides, raw HTML off
    return _title(tokens), Markup(html)  # noqa: S704  # nosec B704


def read_guide(
    lang: str,
    name: str,
    page_url: Callable[[str], str],
    screenshot_url: Callable[[str], str | None],
    root: Path | None = None,
) -> Guide | None:
    """Page ``name`` of the guides in ``lang``, rendered, or ``None`` when there is none.

    Args:
        lang: the language's folder (``th``, ``en``).
        name: the page (``index``, ``officer``, ...).
        page_url: as for :func:`render`.
        screenshot_url: as for :func:`render`.
        root: the guides' folder (default :data:`GUIDES`).
    """
    path = page_file(lang, name, root)
    if path is None:
        return None
    title, html = render(path.read_text(encoding="utf-8"), page_url, screenshot_url)
    return Guide(name=name, lang=lang, title=title or name, html=html)
