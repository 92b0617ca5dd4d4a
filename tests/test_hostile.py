"""Hostile and broken input: every case ends in a clean ExtractionError or a correct extraction.

All files are built here in ``tmp_path`` (crafted PDF bytes, zip archives, links), apart from the real
corpus PDF and DOCX that some cases damage or rename.
"""
from __future__ import annotations

import io
import os
import random
import shutil
import time
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from searchdocs.errors import ExtractionError
from searchdocs.extract import extract

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PARTY_PDF = CORPUS / "sotay_quydinh294.pdf"
SMALL_PDF = CORPUS / "sotay_huongdan21.pdf"
LETTER_DOCX = CORPUS / "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx"

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def build_pdf(objects: list[bytes]) -> bytes:
    """A PDF with objects numbered from 1 (1 is the catalog), a correct xref table and trailer."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra, data)


def pages_pdf(contents: list[bytes]) -> bytes:
    """A PDF with one page per content stream (already encoded, e.g. compressed), Helvetica as /F1."""
    count = len(contents)
    font_number = 3 + 2 * count
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(count))
    objects = [CATALOG, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)]
    for i, content in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 2 * i, font_number)
        )
        objects.append(content)
    objects.append(FONT)
    return build_pdf(objects)


def text_content(text: bytes) -> bytes:
    return stream(b"BT /F1 12 Tf 72 712 Td (%s) Tj ET" % text)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def fails(path: Path, reason: str, **kwargs: int) -> str:
    """Assert extraction fails with ``reason`` in its one-line message; return the message."""
    with pytest.raises(ExtractionError) as caught:
        extract(path, **kwargs)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message
    return message


# --- files that are not files ------------------------------------------------------------------


def test_zero_byte_file(tmp_path: Path) -> None:
    assert fails(write(tmp_path / "a.pdf", b""), "empty file") == "empty file (0 bytes)"


def test_missing_file(tmp_path: Path) -> None:
    assert fails(tmp_path / "nothing.pdf", "cannot read") == "cannot read: no such file"


def test_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").symlink_to(tmp_path / "b.pdf")
    (tmp_path / "b.pdf").symlink_to(tmp_path / "a.pdf")
    assert fails(tmp_path / "a.pdf", "loop") == "cannot read: symbolic link loop"


def test_broken_symlink(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").symlink_to(tmp_path / "gone.pdf")
    assert fails(tmp_path / "a.pdf", "broken") == "cannot read: broken symbolic link"


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.pdf").mkdir()
    assert fails(tmp_path / "folder.pdf", "not a file") == "not a file: is a directory"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    fails(tmp_path / "pipe.txt", "not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.pdf", b"%PDF-1.4\n")
    path.chmod(0)
    assert fails(path, "permission") == "cannot read: permission denied"


def test_permission_denied_while_opening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same case as root can see it: opening raises PermissionError."""
    path = write(tmp_path / "secret.txt", b"text")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert fails(path, "permission") == "cannot read: permission denied"


def test_file_over_the_size_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(2_500_000_000)  # sparse: no disk used
    monkeypatch.setattr(Path, "open", lambda *a, **k: pytest.fail("the file was opened"))
    message = fails(path, "file too large", max_bytes=50_000_000)
    assert message == "file too large: 2500.0 MB > limit 50.0 MB"


def test_file_under_the_size_limit_is_read() -> None:
    assert extract(SMALL_PDF, max_bytes=SMALL_PDF.stat().st_size)[0].pages_without_text == 0


# --- content that does not match its name ------------------------------------------------------


def test_docx_named_pdf_is_read_as_docx(tmp_path: Path) -> None:
    renamed = shutil.copy(LETTER_DOCX, tmp_path / "letter.pdf")
    assert extract(Path(renamed)) == extract(LETTER_DOCX)
    assert "Số: 597/HC-QLHC" in extract(Path(renamed))[0].text


def test_pdf_named_docx_is_read_as_pdf(tmp_path: Path) -> None:
    path = write(tmp_path / "report.docx", pages_pdf([text_content(b"Dieu 1. Pham vi")]))
    assert extract(path)[0].pages[0].text == "Dieu 1. Pham vi"


def test_html_named_pdf(tmp_path: Path) -> None:
    page = b"\n<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>gone</body></html>"
    path = write(tmp_path / "download.pdf", page)
    assert fails(path, "looks like HTML") == "not a PDF: looks like HTML"


def test_garbage_named_pdf(tmp_path: Path) -> None:
    path = write(tmp_path / "noise.pdf", random.Random(1).randbytes(5000).replace(b"%PDF", b"xxxx"))
    assert fails(path, "not a PDF") == "not a PDF: binary content of unknown type"


def test_garbage_after_a_pdf_header(tmp_path: Path) -> None:
    path = write(tmp_path / "noise.pdf", b"%PDF-1.7\n" + random.Random(2).randbytes(5000))
    assert fails(path, "damaged PDF").startswith("damaged PDF: ")


def test_unknown_suffix(tmp_path: Path) -> None:
    assert fails(write(tmp_path / "a.xyz", b"hello"), "unsupported") == "unsupported file type: .xyz"


def test_binary_named_txt(tmp_path: Path) -> None:
    fails(write(tmp_path / "a.txt", b"ab\x00cd" * 10), "not a text file: binary content")


# --- damaged and crafted PDFs -------------------------------------------------------------------


def test_truncated_pdf(tmp_path: Path) -> None:
    data = PARTY_PDF.read_bytes()
    path = write(tmp_path / "half.pdf", data[: len(data) // 2])
    fails(path, "damaged PDF: Stream has ended unexpectedly")


def test_pdf_page_tree_that_contains_itself(tmp_path: Path) -> None:
    data = build_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"])
    fails(write(tmp_path / "loop.pdf", data), "damaged PDF: Detected cyclic page references")


def test_pdf_with_deeply_nested_arrays_in_an_object(tmp_path: Path) -> None:
    nested = b"[" * 5000 + b"]" * 5000
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> /Junk %s >>" % nested)
    data = build_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page,
                      text_content(b"never read"), FONT])
    fails(write(tmp_path / "deep.pdf", data), "damaged PDF: objects nested too deeply")


def test_pdf_whose_only_page_has_deeply_nested_content(tmp_path: Path) -> None:
    nested = stream(b"BT /F1 12 Tf 72 712 Td " + b"[" * 5000 + b"]" * 5000 + b" TJ ET")
    message = fails(write(tmp_path / "deep.pdf", pages_pdf([nested])), "no page could be read")
    assert "page 1: text could not be extracted (objects nested too deeply" in message


def test_pdf_with_one_bad_page_keeps_the_others(tmp_path: Path) -> None:
    """A content-stream deflate bomb on page 1 (pypdf stops inflating at its limit); page 2 is fine."""
    bomb = zlib.compress(b"0" * 150_000_000, 9)
    data = pages_pdf([stream(bomb, b"/Filter /FlateDecode "), text_content(b"Dieu 2. Trang hai")])
    (doc,) = extract(write(tmp_path / "bomb.pdf", data))
    assert [page.text for page in doc.pages] == ["", "Dieu 2. Trang hai"]
    assert doc.pages_without_text == 1
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("page 1: text could not be extracted")


def test_pdf_without_pages(tmp_path: Path) -> None:
    data = build_pdf([CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"])
    assert fails(write(tmp_path / "empty.pdf", data), "no pages") == "PDF has no pages"


def _encrypted(tmp_path: Path, user_password: str) -> Path:
    writer = PdfWriter()
    writer.add_page(PdfReader(SMALL_PDF).pages[0])
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    return path


def test_encrypted_pdf_with_empty_user_password_is_read(tmp_path: Path) -> None:
    (doc,) = extract(_encrypted(tmp_path, ""))
    assert doc.pages[0].number == 1
    assert doc.pages[0].text.startswith("THÀNH ỦY HÀ NỘI\nBAN TỔ CHỨC")


def test_encrypted_pdf_with_a_password(tmp_path: Path) -> None:
    path = _encrypted(tmp_path, "user-secret")
    assert fails(path, "password") == "encrypted PDF: needs a password"


# --- hostile DOCX -------------------------------------------------------------------------------


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = write(tmp_path / "a.docx", b"This is not a Word document at all.")
    assert fails(path, "not a DOCX") == "not a DOCX: not a zip archive"


def test_truncated_docx(tmp_path: Path) -> None:
    data = LETTER_DOCX.read_bytes()
    path = write(tmp_path / "a.docx", data[: len(data) // 2])
    assert fails(path, "damaged") == "not a DOCX: damaged zip archive"


def test_zip_without_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    fails(path, "not a DOCX: the zip archive has no word/document.xml")


def test_docx_with_broken_xml(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>")
    fails(path, "damaged DOCX: ")


def _bomb(path: Path, megabytes: int) -> Path:
    """A DOCX-shaped zip whose document.xml inflates to ``megabytes`` MB of zeros (streamed)."""
    chunk = b"0" * 1_000_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path


def test_docx_zip_bomb(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.docx", 300)
    assert path.stat().st_size < 5_000_000  # a few MB on disk for 300 MB inflated
    started = time.monotonic()
    assert fails(path, "DOCX too large when uncompressed") == "DOCX too large when uncompressed (300 MB)"
    assert time.monotonic() - started < 1  # refused from the zip directory, not by inflating


def test_docx_member_compressed_too_well(tmp_path: Path) -> None:
    message = fails(_bomb(tmp_path / "bomb.docx", 20), "DOCX too large when uncompressed")
    assert message.startswith("DOCX too large when uncompressed (20 MB in word/document.xml")


def test_docx_member_that_lies_about_its_size(tmp_path: Path) -> None:
    """A bomb declaring 1 kB in the zip directory: zipfile stops inflating there, the CRC fails."""
    path = tmp_path / "liar.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("word/document.xml", b"0" * 50_000_000)
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the central directory entry of the only member
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")  # its uncompressed size
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo("word/document.xml").file_size == 1000
    fails(path, "damaged DOCX: word/document.xml: BadZipFile: Bad CRC-32")


def _docx_with_entity(tmp_path: Path, secret: Path) -> Path:
    """A real DOCX whose document.xml declares an external entity reading ``secret`` and uses it."""
    document = docx.Document()
    document.add_paragraph("XXEMARK")
    plain = tmp_path / "plain.docx"
    document.save(plain)
    path = tmp_path / "xxe.docx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                head, _, body = data.partition(b"?>")
                doctype = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://%s">]>' % str(secret).encode()
                data = head + b"?>" + doctype + body.replace(b"XXEMARK", b"&xxe;")
            target.writestr(item, data)
    return path


def test_docx_with_external_entity_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", b"TOP-SECRET-CONTENT")
    message = fails(_docx_with_entity(tmp_path, secret), "entity")
    assert message == "DOCX contains XML entity declarations (refused)"


def test_python_docx_does_not_resolve_entities_either(tmp_path: Path) -> None:
    """The second line of defence behind the scan: python-docx's parser leaves entities unresolved."""
    secret = write(tmp_path / "secret.txt", b"TOP-SECRET-CONTENT")
    document = docx.Document(str(_docx_with_entity(tmp_path, secret)))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "TOP-SECRET" not in text
