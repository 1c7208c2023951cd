"""Regenerate the binary reader fixtures: otter.docx and hearing.pdf.

All content is fictional. Needs python-docx and fpdf2 (not project dependencies), e.g.:

    python3 -m venv /tmp/fixtures-venv
    /tmp/fixtures-venv/bin/pip install python-docx fpdf2
    /tmp/fixtures-venv/bin/python tests/data/formats/make_binary_fixtures.py

What a correct reader must find is described in expected.json next to this file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2024, 5, 6, 9, 0, 0, tzinfo=dt.UTC)

# --------------------------------------------------------------------------- otter.docx
# Otter.ai "Export as DOCX": title, date/duration line, keyword and speaker summary,
# then one "Name  m:ss" paragraph per block followed by the speech paragraph.
OTTER_TITLE = "Budget Review - Parks Department"
OTTER_DATELINE = "Wed, Jan 17, 2024 2:04PM \u2022 6:12"
OTTER_KEYWORDS = "mowing contract, playground, budget, Hadley Park, state grant"
OTTER_SPEAKERS = "Leona Fisk, Marcus Bell, Yusuf Demir"
OTTER_BLOCKS = [
    (
        "Leona Fisk",
        "0:03",
        "Okay, let's start. We need to cut 5% from next year's operating "
        "budget, which is about $212,000.",
    ),
    (
        "Marcus Bell",
        "0:19",
        "The mowing contract is the obvious place. It renews in April and "
        "it's $640,000. If we go from weekly to every ten days in the shoulder months, we save "
        "maybe 48,000.",
    ),
    (
        "Yusuf Demir",
        "0:44",
        "I'd rather not touch Hadley Park. The youth league plays there every Saturday.",
    ),
    ("Marcus Bell", "0:52", "Agreed, we'd exempt the sports fields."),
    ("Leona Fisk", "1:03", "What about the playground at Dunn Street?"),
    ("Yusuf Demir", "1:10", "That's covered by a state grant, 90,000, so it's off our books."),
    (
        "Leona Fisk",
        "1:24",
        "Good. Marcus, draft the mowing change and bring it to the February 6 meeting.",
    ),
]
OTTER_FOOTER = "Transcribed by https://otter.ai"


def make_docx(path: Path) -> None:
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document()
    doc.core_properties.title = OTTER_TITLE
    doc.core_properties.author = "Otter.ai"
    doc.core_properties.created = FIXED_TIME
    doc.core_properties.modified = FIXED_TIME

    run = doc.add_paragraph().add_run(OTTER_TITLE)
    run.bold = True
    run.font.size = Pt(16)
    doc.add_paragraph(OTTER_DATELINE)
    doc.add_paragraph().add_run("SUMMARY KEYWORDS").bold = True
    doc.add_paragraph(OTTER_KEYWORDS)
    doc.add_paragraph().add_run("SPEAKERS").bold = True
    doc.add_paragraph(OTTER_SPEAKERS)
    for name, stamp, text in OTTER_BLOCKS:
        head = doc.add_paragraph()
        head.paragraph_format.space_before = Pt(12)
        head.add_run(name).bold = True
        stamp_run = head.add_run("  " + stamp)
        stamp_run.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
        doc.add_paragraph(text)
    doc.add_paragraph(OTTER_FOOTER)
    doc.save(str(path))


# --------------------------------------------------------------------------- hearing.pdf
# A line-numbered hearing transcript: 25 printed line numbers per page, a running header,
# a page-number footer. Mr. DALTON's turn starting on page 1 line 23 ends on page 2 line 3.
HEARING_HEADER = "Kettle Basin Readiness Hearing                      May 2, 2024"
HEARING_PAGES = [
    [
        "         SELECT COMMITTEE ON WILDFIRE PREPAREDNESS",
        "",
        "         OVERSIGHT HEARING ON WILDFIRE READINESS",
        "                  IN THE KETTLE BASIN",
        "",
        "                 Thursday, May 2, 2024",
        "           Room 214, Capitol Annex, Halden",
        "",
        "PRESENT: Chairman Orrin Wexley; Representatives Paul",
        "Dalton and Irene Szabo.",
        "WITNESS: Marta Quill, Chief, State Fire Service.",
        "",
        "     THE CHAIRMAN. The committee will come to order.",
        "Last summer the Kettle Basin lost 41,000 acres to the",
        "Ridgeline fire. Our purpose today is to learn what has",
        "changed since then. Chief Quill, welcome.",
        "     Chief QUILL. Thank you, Mr. Chairman. Since last",
        "August the Service has hired 62 seasonal firefighters",
        "and opened a second air base at Corrin Field. Fuel",
        "crews treated 8,700 acres this winter, against a goal",
        "of 10,000.",
        "     THE CHAIRMAN. Mr. Dalton.",
        "     Mr. DALTON. Thank you. Chief, the shortfall of 1,300",
        "acres, where was that? I ask because most of the homes",
        "that burned last year were in the upper canyon, and my",
    ],
    [
        "constituents tell me no crew has been up Sawmill Road",
        "since the fire. If the Service is short of people, I",
        "want to know that today, not in September.",
        "     Chief QUILL. The shortfall was mostly in the upper",
        "canyon, you're right. Two crews were sent to the Ashby",
        "flood response in February for three weeks.",
        "     Mr. DALTON. Will they be back before June?",
        "     Chief QUILL. Yes. Both crews return to the basin",
        "on May 20.",
        "     Ms. SZABO. Chief, what is the budget request for",
        "next year?",
        "     Chief QUILL. We are asking for $27.5 million, an",
        "increase of $3.1 million. Most of the increase is for",
        "a third helicopter contract, which would let us keep",
        "one aircraft on the east side of the basin all season.",
        "     Ms. SZABO. And evacuation? Last year the warning for",
        "Pell Creek went out forty minutes after the fire",
        "crossed the ridge.",
        "     Chief QUILL. That was a failure, and I won't defend",
        "it. The county now sends alerts directly from the",
        "dispatch center. We tested the new system on April 11",
        "and reached 94 percent of registered phones within six",
        "minutes.",
        "     Mr. DALTON. That is progress. Thank you, Chief. I",
        "yield back.",
    ],
    [
        "     THE CHAIRMAN. We will ask the county to appear at",
        "our June hearing. Anything further?",
        "     Ms. SZABO. No, Mr. Chairman.",
        "     THE CHAIRMAN. Then we stand adjourned.",
        "     (Whereupon, at 11:42 a.m., the hearing was",
        "adjourned.)",
        "",
        "",
        "               CERTIFICATE OF REPORTER",
        "",
        "     I, Janine Morrow, a certified shorthand reporter,",
        "certify that the foregoing pages 1 through 3 are a",
        "true and accurate record of the proceedings.",
        "",
        "          /s/ Janine Morrow, CSR No. 4471",
    ],
]
LINES_PER_PAGE = 25


def make_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="letter", unit="mm")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_title("Oversight Hearing on Wildfire Readiness in the Kettle Basin")
    pdf.set_auto_page_break(False)
    step = 8.6
    top = 32.0
    for number, lines in enumerate(HEARING_PAGES, 1):
        assert len(lines) <= LINES_PER_PAGE
        pdf.add_page()
        pdf.set_font("Courier", size=10)
        pdf.text(20, 14, HEARING_HEADER)
        pdf.line(20, 17, 196, 17)
        pdf.line(30, 24, 30, top + LINES_PER_PAGE * step)
        pdf.set_font("Courier", size=12)
        for i in range(LINES_PER_PAGE):
            y = top + i * step
            label = str(i + 1)
            pdf.text(27 - pdf.get_string_width(label), y, label)
            if i < len(lines) and lines[i]:
                pdf.text(34, y, lines[i])
        pdf.set_font("Courier", size=10)
        footer = f"Page {number} of {len(HEARING_PAGES)}"
        pdf.text((215.9 - pdf.get_string_width(footer)) / 2, 266, footer)
    pdf.output(str(path))


def main() -> None:
    make_docx(HERE / "otter.docx")
    make_pdf(HERE / "hearing.pdf")
    print("wrote", HERE / "otter.docx", "and", HERE / "hearing.pdf")


if __name__ == "__main__":
    main()
