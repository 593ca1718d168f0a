"""The help pages: the role guides of docs/guide/ in the reader's language, in the shared layout;
unknown pages and paths out of their folders are 404 pages; raw HTML in a guide stays text."""

from __future__ import annotations

import re

import pytest

from webapp.help import guide

pytestmark = pytest.mark.db

PAGES = ("officer", "coordinator", "planner", "analyst", "administrator", "public-report")
THAI = re.compile("[\u0e00-\u0e7f]")
# a PNG of one transparent pixel
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5b0000000049454e44ae426082"
)


def h1(response) -> str:
    match = re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True), re.S)
    assert match, "no <h1>"
    return match.group(1)


def first_heading(lang: str, page: str) -> str:
    text = (guide.GUIDES / lang / f"{page}.md").read_text(encoding="utf-8")
    return text.splitlines()[0].removeprefix("# ")


def test_the_list_of_guides_is_in_the_readers_language(client):
    thai = client.get("/help", headers={"Accept-Language": "th"})
    assert thai.status_code == 200
    assert h1(thai) == "วิธีใช้ borderwatch"
    english = client.get("/help", headers={"Accept-Language": "en-GB,en"})
    assert h1(english) == "borderwatch help"
    for page in PAGES:
        assert f'href="/help/{page}"' in thai.get_data(as_text=True)
        assert f'href="/help/{page}"' in english.get_data(as_text=True)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_role_has_its_guide_in_thai_and_english(client, lang, page):
    answer = client.get(f"/help/{page}", headers={"Accept-Language": lang})
    assert answer.status_code == 200
    assert f'<html lang="{lang}">' in answer.get_data(as_text=True)
    assert h1(answer) == first_heading(lang, page)
    title = h1(answer)
    assert THAI.match(title) if lang == "th" else re.match("[A-Z]", title)


def test_guides_link_to_each_other_inside_the_app(client):
    body = client.get("/help/officer", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/help/public-report"' in body
    assert 'href="/help"' in body  # back to all guides
    assert ".md" not in " ".join(re.findall(r'href="([^"]*)"', body))


@pytest.mark.parametrize(
    "path", ["/help/nowhere", "/help/index", "/help/Officer", "/help/officer.md"]
)
def test_an_unknown_page_is_a_404_page(client, path):
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"


@pytest.mark.parametrize(
    "path",
    [
        "/help/..%2F..%2FREADME",
        "/help/..%2Fen%2Fofficer",
        "/help/%2e%2e",
        "/help/screenshots/..%2F..%2Fsetup",
        "/help/screenshots/..%2Fmap",  # docs/map.png, beside the screenshots' folder
        "/help/screenshots/.hidden.png",
    ],
)
def test_a_path_out_of_the_guides_folder_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_names_that_leave_their_folder_find_no_file(tmp_path):
    (tmp_path / "secret.md").write_text("# secret", encoding="utf-8")
    (tmp_path / "en").mkdir()
    assert guide.page_file("en", "../secret", tmp_path) is None
    assert guide.page_file("..", "secret", tmp_path) is None
    assert guide.page_file("en", "secret", tmp_path) is None
    (tmp_path / "shots").mkdir()
    (tmp_path / "outside.png").write_bytes(PIXEL)
    assert guide.screenshot_file("../outside", tmp_path / "shots") is None


def test_screenshots_are_served_from_their_folder_and_only_as_png(client, monkeypatch, tmp_path):
    (tmp_path / "officer-map-phone.png").write_bytes(PIXEL)
    (tmp_path / "notes.txt").write_text("not an image", encoding="utf-8")
    monkeypatch.setattr(guide, "SCREENSHOTS", tmp_path)
    with client.get("/help/screenshots/officer-map-phone.png") as answer:
        assert answer.status_code == 200
        assert answer.mimetype == "image/png"
        assert answer.data == PIXEL
    assert client.get("/help/screenshots/notes.txt").status_code == 404
    assert client.get("/help/screenshots/notes.png").status_code == 404
    # the guide shows the screenshot that exists and leaves out the ones not taken yet
    body = client.get("/help/officer", headers={"Accept-Language": "en"}).get_data(as_text=True)
    images = re.findall(r'<img src="([^"]*)"', body)
    assert images == ["/help/screenshots/officer-map-phone.png"]


def test_raw_html_in_a_guide_reaches_the_reader_as_text(client, monkeypatch, tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "index.md").write_text(
        "# Evil guide\n\n"
        "<script>alert('guide')</script>\n\n"
        'A <img src=x onerror="alert(1)"> inline and a [link](javascript:alert(1)).\n\n'
        "| a | b |\n| :-- | --: |\n| 1 | 2 |\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(guide, "GUIDES", tmp_path)
    answer = client.get("/help", headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    article = body[body.index("<article") : body.index("</article>")]
    assert "&lt;script&gt;alert(" in article
    assert "<script" not in article
    assert "<img" not in article and "&lt;img src=x" in article
    assert 'href="javascript:' not in article
    assert "style=" not in article  # the column alignment the CSP would refuse
    assert '<table class="bw-table">' in article


def test_only_folders_with_an_index_are_languages_of_the_guides(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "index.md").write_text("# Help", encoding="utf-8")
    (tmp_path / "xx").mkdir()  # a folder without an index page is no language of the guides
    assert guide.guide_languages(tmp_path) == ("en",)


@pytest.mark.parametrize(
    "path", sorted(guide.GUIDES.glob("*/*.md")), ids=lambda p: f"{p.parent.name}-{p.stem}"
)
def test_no_asterisk_of_a_guide_is_taken_for_emphasis(path):
    # the guides use bold only: an <em> is an asterisk (Gi*) that paired with another
    _, html = guide.render(path.read_text(encoding="utf-8"), lambda n: n, lambda n: None)
    assert "<em>" not in html
    assert "**" not in html
