"""PDF files made in the tests with pikepdf: with the metadata that names people and software,
encrypted, or carrying a script or an embedded file."""

from __future__ import annotations

import io

import pikepdf

#: Text that only the document information and the XMP metadata of :func:`pdf_with_metadata`
#: carry.
AUTHOR = "Somchai-Secret-Author"
PRODUCER = "Secret-Office-Suite 7.1"
XMP_CREATOR = "Xmp-Secret-Creator"


def _saved(pdf: pikepdf.Pdf, **options) -> bytes:
    out = io.BytesIO()
    pdf.save(
        out, deterministic_id="encryption" not in options, **options
    )  # the same bytes each time
    return out.getvalue()


def pdf_with_metadata(pages: int = 2) -> bytes:
    """A PDF whose /Info names an author, creator and producer and whose XMP names a creator;
    each page shows a line of text."""
    pdf = pikepdf.new()
    for n in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[n]
        font = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                               BaseFont=pikepdf.Name.Helvetica)
        )  # fmt: skip
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(
            f"BT /F1 24 Tf 72 720 Td (Minutes page {n + 1}) Tj ET".encode()
        )
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [XMP_CREATOR]
        meta["xmp:CreatorTool"] = PRODUCER
    pdf.docinfo["/Author"] = AUTHOR  # after the XMP, which would copy its creator here
    pdf.docinfo["/Creator"] = AUTHOR
    pdf.docinfo["/Producer"] = PRODUCER
    return _saved(pdf)


def encrypted_pdf(user_password: str = "secret") -> bytes:
    """A PDF that needs a password to open (or, with ``user_password=""``, only to change)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    return _saved(pdf, encryption=pikepdf.Encryption(user=user_password, owner="owner-pw"))


def pdf_with_script() -> bytes:
    """A PDF that runs JavaScript when it opens."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hello')")
    )
    return _saved(pdf)


def pdf_with_launch_link() -> bytes:
    """A PDF with a link annotation whose action launches a program."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    action = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
    annot = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=pikepdf.Array([0, 0, 100, 100]),
        A=action,
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    return _saved(pdf)


def pdf_with_embedded_file() -> bytes:
    """A PDF that carries another file inside it."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.attachments["list.txt"] = b"names of informants"
    return _saved(pdf)
