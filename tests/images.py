"""Image files made in the tests with Pillow."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

#: Bytes that only the EXIF blocks of :func:`jpeg_with_gps` carry.
CAMERA = "BorderCam-Secret-Model"
#: The GPS position written into the EXIF block (degrees, minutes, seconds).
GPS_LAT = ((13, 1), (41, 1), (3419, 100))
GPS_LON = ((102, 1), (30, 1), (2377, 100))

RED = (220, 20, 20)
BLUE = (20, 20, 220)


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    """EXIF with an orientation, a camera model and a GPS block (IFD 0x8825)."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x0110] = CAMERA  # Model
    gps = exif.get_ifd(0x8825)  # GPSInfo
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = tuple(n / d for n, d in GPS_LAT)  # GPSLatitude
    gps[3] = "E"  # GPSLongitudeRef
    gps[4] = tuple(n / d for n, d in GPS_LON)  # GPSLongitude
    return exif


def two_halves(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """An image whose left half is red and right half blue."""
    image = Image.new(mode, size, BLUE if mode == "RGB" else (*BLUE, 255))
    image.paste(RED if mode == "RGB" else (*RED, 255), (0, 0, size[0] // 2, size[1]))
    return image


def jpeg_with_gps(size: tuple[int, int] = (300, 200), orientation: int = 1) -> bytes:
    """A JPEG (left half red, right half blue) with an EXIF block holding GPS and orientation."""
    out = io.BytesIO()
    two_halves(size).save(out, "JPEG", quality=90, exif=exif_with_gps(orientation).tobytes())
    return out.getvalue()


def jpeg(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = RED) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def png_with_metadata(size: tuple[int, int] = (120, 80)) -> bytes:
    """A PNG with transparency, an eXIf chunk with GPS and a text chunk."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", CAMERA)
    out = io.BytesIO()
    two_halves(size, "RGBA").save(out, "PNG", pnginfo=info, exif=exif_with_gps().tobytes())
    return out.getvalue()


def webp_with_metadata(size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    two_halves(size).save(out, "WEBP", quality=90, exif=exif_with_gps().tobytes())
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), RED).save(out, "GIF")
    return out.getvalue()


def huge_png(megapixels: float = 41) -> bytes:
    """A one-bit PNG of ``megapixels`` (a few KB on disk: a decompression bomb)."""
    width = 8000
    height = int(megapixels * 1_000_000 / width) + 1
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()
