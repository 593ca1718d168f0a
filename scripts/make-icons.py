"""Draws the home-screen icons of the field app (webapp/static/icons/, committed):
    .venv/bin/python scripts/make-icons.py
A white map pin over the river on the header's blue (#0b3d5c); the maskable icon keeps the pin
inside the middle 80% that every launcher shape shows."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (11, 61, 92)
RIVER = (94, 173, 214)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "webapp" / "static" / "icons"


def draw(size: int, safe: float) -> Image.Image:
    """The icon at ``size`` pixels, its drawing within the middle ``safe`` share."""
    scale = 4  # drawn large, then shrunk: smooth edges
    big = size * scale
    img = Image.new("RGB", (big, big), BLUE)
    d = ImageDraw.Draw(img)
    inner = big * safe
    off = (big - inner) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return off + x * inner, off + y * inner

    # the river: a band winding across the lower third
    points = [at(i / 60, 0.78 + 0.06 * math.sin(i / 60 * 2 * math.pi)) for i in range(61)]
    d.line(points, fill=RIVER, width=int(inner * 0.09), joint="curve")
    # the pin: a circle and a point below it, with a hole
    cx, cy, r = 0.5, 0.38, 0.2
    d.ellipse([*at(cx - r, cy - r), *at(cx + r, cy + r)], fill=WHITE)
    d.polygon([at(cx - r * 0.86, cy + r * 0.5), at(cx + r * 0.86, cy + r * 0.5), at(cx, 0.8)],
              fill=WHITE)  # fmt: skip
    h = r * 0.42
    d.ellipse([*at(cx - h, cy - h), *at(cx + h, cy + h)], fill=BLUE)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, 0.86).save(OUT / "icon-192.png", optimize=True)
    draw(512, 0.86).save(OUT / "icon-512.png", optimize=True)
    draw(512, 0.72).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
