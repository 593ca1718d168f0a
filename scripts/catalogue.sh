#!/usr/bin/env bash
# Update one area's Thai catalogue from its source files:
#   scripts/catalogue.sh <area> <file or folder>...
# e.g. scripts/catalogue.sh review webapp/review webapp/templates/review webapp/static/js/review-map.js
# writes webapp/translations/th/LC_MESSAGES/<area>.po: new messages are added with an empty
# translation (fill them in), messages no longer in those files are dropped, translations kept.
# LANGS="th lo km" updates the public pages' other languages too.
set -euo pipefail
cd "$(dirname "$0")/.."
area=${1:?usage: scripts/catalogue.sh <area> <paths>...}
shift
[ $# -gt 0 ] || { echo "name the area's files or folders" >&2; exit 2; }
pot=$(mktemp --suffix=.pot)
trap 'rm -f "$pot"' EXIT
.venv/bin/pybabel extract -F webapp/babel.cfg -k lazy_gettext -k _l -k lazy_pgettext:1c,2 -k N_ -k t -k tn:1,2 \
    --no-location --sort-output --project borderwatch --copyright-holder "borderwatch contributors" -o "$pot" "$@" 2>/dev/null
for lang in ${LANGS:-th}; do
  po=webapp/translations/$lang/LC_MESSAGES/$area.po
  if [ -f "$po" ]; then
    .venv/bin/pybabel update -i "$pot" -l "$lang" -o "$po" --no-fuzzy-matching \
        --ignore-obsolete --no-wrap 2>/dev/null
  else
    .venv/bin/pybabel init -i "$pot" -l "$lang" -o "$po" --no-wrap 2>/dev/null
  fi
  .venv/bin/python - "$po" <<'PY'
import sys
from babel.messages.pofile import read_po
with open(sys.argv[1], "rb") as f:
    catalog = read_po(f)
todo = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)]
print(f"{sys.argv[1]}: {len(catalog)} messages, {len(todo)} to translate")
for msgid in todo:
    print("  ", msgid)
PY
done
