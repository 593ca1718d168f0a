"""Domain errors: an English template marked for the catalogues, its values kept beside it.

The message people read in English is the template filled with the values, as before; webapp
translates the template and fills it again (tests/webapp/test_error_languages.py). Every place
that raises one of these errors gives a marked template and a value for each of its placeholders:
the rule is checked over the code, since most of the two hundred places are rare paths.
"""

from __future__ import annotations

import ast
import logging
import string
from pathlib import Path

import pytest

import gis.errors
from gis.errors import BorderwatchError, Conflict, InvalidGeometry, InvalidInput, OutsideWatchArea
from gis.incidents.review import ACTIONS, REFUSED
from gis.parsing import parse_integer, parse_number, refuse_unknown
from gis.text import N_
from gis.types import IncidentStatus, Role

ROOT = Path(__file__).resolve().parents[2]
#: The errors of gis.errors, by name.
ERRORS = {
    name
    for name, value in vars(gis.errors).items()
    if isinstance(value, type) and issubclass(value, BorderwatchError)
}
#: Keywords of the errors that are attributes of their own, not values of the message.
OWN_KEYWORDS = {"field", "feature", "current", "distance_m"}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_message_is_the_template_filled_and_both_are_kept() -> None:
    exc = InvalidInput(
        N_("{field} must be between {low} and {high}"), field="severity", low=1, high=5
    )
    assert exc.message == str(exc) == "severity must be between 1 and 5"
    assert exc.template == "{field} must be between {low} and {high}"
    assert exc.values == {"field": "severity", "low": 1, "high": 5}
    assert exc.field == "severity"


def test_the_errors_keep_their_own_attributes_beside_the_values() -> None:
    far = OutsideWatchArea(N_("{km:.1f} km away"), distance_m=1234.0, field="location", km=1.234)
    assert far.message == "1.2 km away" and far.distance_m == 1234.0
    assert far.values == {"field": "location", "km": 1.234}
    shape = InvalidGeometry(N_("{label}: geometry is empty"), feature="f1", label="f1")
    assert shape.message == "f1: geometry is empty" and shape.feature == "f1"


def test_a_vocabulary_member_reads_as_its_code_in_english() -> None:
    exc = Conflict(
        N_("cannot reject an incident whose status is {status}"),
        current="verified",
        field="action",
        status=IncidentStatus.VERIFIED,
    )
    assert exc.message == "cannot reject an incident whose status is verified"
    assert exc.values["status"] is IncidentStatus.VERIFIED
    assert exc.current == "verified"


def test_conversions_formats_and_doubled_braces_work_as_in_an_f_string() -> None:
    exc = InvalidInput(N_("{name!r} x {n:,} {{a, ...}}"), name="bbox", n=50000)
    assert exc.message == "'bbox' x 50,000 {a, ...}"


def test_a_template_its_values_do_not_fit_is_kept_as_written_and_logged(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="gis.errors"):
        exc = InvalidInput(N_("{missing} is required"), field="x")
    assert exc.message == "{missing} is required"
    assert "does not fit" in caplog.text


def test_the_parsers_keep_the_english_they_always_answered() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_integer(9, "severity", 1, 5)
    assert caught.value.message == "severity must be an integer from 1 to 5"
    with pytest.raises(InvalidInput) as caught:
        parse_number(0, "eps_m", 0, 5000, lo_open=True)
    assert caught.value.message == "eps_m must be more than 0 and at most 5,000"
    with pytest.raises(InvalidInput) as caught:
        refuse_unknown({"colour": 1}, ("lon",), prefix="incident.")
    assert caught.value.message == "unknown field 'colour'"
    assert caught.value.field == "incident.colour"


def test_each_review_action_has_its_refusal() -> None:
    assert set(REFUSED) == set(ACTIONS)
    for template in REFUSED.values():
        assert placeholders(template) == {"status"}
    exc = Conflict(REFUSED["mark_duplicate"], status=IncidentStatus.CLOSED)
    assert exc.message == "cannot mark duplicate an incident whose status is closed"


def test_a_role_in_a_message_reads_as_its_code() -> None:
    exc = InvalidInput(N_("a {role} account needs a district"), field="district", role=Role.OFFICER)
    assert exc.message == "a officer account needs a district"


# --------------------------------------------------------------------------- every raise site


def _raise_sites() -> list[tuple[str, ast.Call]]:
    sites = []
    for package in ("gis", "layers", "webapp"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ERRORS
                    and node.args
                ):
                    sites.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return sites


def _templates(message: ast.expr) -> list[str] | None:
    """The N_ templates a message argument may be (both of a conditional); ``None`` for a name
    bound elsewhere (a template constant, a table of templates, a caught error's own template)."""
    if isinstance(message, ast.IfExp):
        both = (_templates(message.body), _templates(message.orelse))
        return None if None in both else [t for ts in both for t in ts or []]
    if isinstance(message, ast.Call) and ast.unparse(message.func) == "N_":
        (arg,) = message.args
        assert isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        return [arg.value]
    if isinstance(message, ast.Name | ast.Subscript | ast.Attribute | ast.BoolOp):
        return None
    raise AssertionError(f"not a marked template: {ast.unparse(message)}")


def test_every_raise_site_gives_a_marked_template_and_each_of_its_values() -> None:
    sites = _raise_sites()
    assert len(sites) > 200
    wrong = []
    for where, call in sites:
        try:
            templates = _templates(call.args[0])
        except AssertionError as exc:
            wrong.append(f"{where}: {exc}")
            continue
        keywords = {k.arg for k in call.keywords}
        if None in keywords:  # **values passed on from a caught error
            continue
        values = keywords - OWN_KEYWORDS
        used: set[str] = set()
        for template in templates or []:
            names = placeholders(template)
            used |= names - {"field"}
            if "field" in names and "field" not in keywords:
                wrong.append(f"{where}: {{field}} in {template!r} without field=")
            if not names - {"field"} <= values:
                wrong.append(f"{where}: {template!r} has values {sorted(values)}")
        if templates and used != values:
            wrong.append(f"{where}: values {sorted(values - used)} are in no template")
    assert not wrong, "\n".join(wrong)
