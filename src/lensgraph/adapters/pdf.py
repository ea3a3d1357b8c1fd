"""Plain-text documents as PDF files (fpdf2): a title, then headed blocks of text."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from fpdf import FPDF

PDF_MEDIA_TYPE = "application/pdf"


def _latin1(text: str) -> str:
    """The PDF core fonts cover Latin-1 only: other characters print as '?' (the stored text and its hash stay
    exact; the PDF is the readable copy)."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _render(title: str, blocks: Sequence[tuple[str, str]]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_latin1(title))
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.multi_cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    for heading, text in blocks:
        pdf.ln(4)
        if heading:
            pdf.set_font("Helvetica", style="B", size=11)
            pdf.multi_cell(0, 6, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, _latin1(text) or "-", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


async def render_pdf(title: str, blocks: Sequence[tuple[str, str]]) -> bytes:
    """The PDF's bytes, made in a worker thread (layout is CPU work)."""
    return await asyncio.to_thread(_render, title, blocks)
