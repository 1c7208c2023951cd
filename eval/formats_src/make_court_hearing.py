"""Generate ``eval/formats/court_hearing.pdf``, a fictional court reporter transcript.

The hearing (Brightwater Holdings, LLC v. Marren County Board of Zoning
Appeals, a motion to stay a stop-work order) is entirely invented: people,
places, numbers and the court itself are fictional.

The layout imitates a certified transcript as printed by a court reporter:

* every page carries a running header line and a "Page N of M" footer;
* every page has 25 numbered lines, the numbers printed in the left margin;
* page 1 is a caption page (court, case number, parties, date, judge,
  appearances of counsel, index of witnesses);
* colloquy uses upper-case speaker labels ("THE COURT:", "MR. HALVERSEN:");
* witness testimony uses "Q." / "A." lines under an examination heading
  ("DIRECT EXAMINATION" / "BY MS. OYELARAN:");
* long turns simply continue onto the next page.

Usage (needs fpdf2)::

    python eval/formats_src/make_court_hearing.py [output.pdf]
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from fpdf import FPDF

OUT = Path(__file__).resolve().parent.parent / "formats" / "court_hearing.pdf"

HEADER = "BRIGHTWATER v. MARREN COUNTY BZA — Motion Hearing — March 4, 2025"
LINES_PER_PAGE = 25
WIDTH = 68  # characters per printed line (Courier 10.5 pt)
INDENT_TURN = 10  # spaces before a speaker label
INDENT_QA = 5  # spaces before "Q." / "A."

# --------------------------------------------------------------------------
# Caption and appearances: pre-formatted lines (25 per page, padded).
# --------------------------------------------------------------------------
CAPTION = [
    "        IN THE CIRCUIT COURT OF MARREN COUNTY, TWELFTH JUDICIAL CIRCUIT",
    "",
    "BRIGHTWATER HOLDINGS, LLC,                  )",
    "                      Petitioner,           )   Case No. 24-CV-01187",
    "     v.                                     )",
    "MARREN COUNTY BOARD OF ZONING APPEALS,      )   MOTION HEARING",
    "                      Respondent, and       )",
    "QUARRY ROAD NEIGHBORS ASSOCIATION,          )",
    "                      Intervenor.           )",
    "",
    "                      TRANSCRIPT OF PROCEEDINGS",
    "            BEFORE THE HONORABLE MARGARET A. THORNBURY, JUDGE",
    "     Tuesday, March 4, 2025, 9:30 a.m., Marren County Justice Center",
    "",
    "APPEARANCES:",
    "  For the Petitioner:   PETER J. HALVERSEN, ESQ., Halversen Quist LLP",
    "  For the Respondent:   ADAEZE OYELARAN, ESQ., Assistant County",
    "                        Attorney, Office of the Marren County Attorney",
    "  For the Intervenor:   THOMAS R. FENWICK, ESQ., Fenwick & Doyle, PC",
    "  Also present:         Rosa Delgado, Courtroom Clerk",
    "",
    "                              I N D E X",
    "WITNESS                      DIRECT   CROSS   REDIRECT",
    "DANIEL KOVACIK                 {direct:>2}      {cross:>2}        --",
    "Reported by: Linda M. Farrow, CCR No. 0418",
]

# --------------------------------------------------------------------------
# Proceedings.  Each item is (kind, label, text):
#   ("turn", "THE COURT", "...")  colloquy; "\n\n" separates paragraphs
#   ("q", None, "...") / ("a", None, "...")  testimony lines
#   ("center", None, "...")  centred heading line
#   ("by", None, "BY MS. OYELARAN:")  examining attorney line
#   ("paren", None, "(Witness excused.)")  parenthetical
# --------------------------------------------------------------------------
PROCEEDINGS = [
    ("paren", None, "(Proceedings commenced at 9:34 a.m.)"),
    ("turn", "THE CLERK",
     "Calling case number 24-CV-01187, Brightwater Holdings, LLC, versus "
     "Marren County Board of Zoning Appeals. Counsel, please state your "
     "appearances for the record."),
    ("turn", "MR. HALVERSEN",
     "Good morning, Your Honor. Peter Halversen of Halversen Quist on "
     "behalf of the petitioner, Brightwater Holdings."),
    ("turn", "MS. OYELARAN",
     "Good morning. Adaeze Oyelaran, Assistant County Attorney, for the "
     "respondent Board of Zoning Appeals."),
    ("turn", "MR. FENWICK",
     "Thomas Fenwick, Your Honor, for the intervenor, the Quarry Road "
     "Neighbors Association."),
    ("turn", "THE COURT",
     "Good morning to all of you. We are here on the petitioner's "
     "emergency motion to stay the stop-work order pending judicial "
     "review. I have read the motion, the Board's response, and the "
     "intervenor's brief, which came in late Friday afternoon. Mr. "
     "Halversen, it's your motion."),
    ("turn", "MR. HALVERSEN",
     "Thank you, Your Honor. Brightwater proposes to build Larkspur "
     "Commons, a 140-unit apartment community on a 9.6-acre parcel at "
     "2200 Quarry Road. The Board denied the density variance on November "
     "19, 2024, by a vote of three to two, and we timely filed our "
     "petition for review on December 16."
     "\n\n"
     "Then, in early January, the county's zoning office issued a "
     "stop-work order that halted all activity on the site, including "
     "work that has nothing to do with the density question. My client "
     "had already spent $1.3 million on surveying, utility design, and "
     "site preparation before that order issued."
     "\n\n"
     "Every day the order stays in place costs Brightwater roughly "
     "$18,500 in carrying costs, equipment standby charges, and the rate "
     "lock on its construction financing, which expires at the end of "
     "June. We are not asking the Court to decide the merits today. We "
     "are asking for a narrow stay so the site can be stabilized and the "
     "financing preserved while the appeal is briefed."),
    ("turn", "THE COURT",
     "Is there any dispute that the grading went beyond what the earlier "
     "permit allowed?"),
    ("turn", "MR. HALVERSEN",
     "There is, Your Honor. Our position is that the clearing permit "
     "issued in September covered it. The county reads that permit more "
     "narrowly."),
    ("turn", "THE COURT", "All right. Ms. Oyelaran?"),
    ("turn", "MS. OYELARAN",
     "Thank you, Your Honor. The county would like to call one witness "
     "briefly, the zoning administrator, so the Court has the factual "
     "background for the order. I expect about twenty minutes on direct."),
    ("turn", "THE COURT", "Any objection?"),
    ("turn", "MR. HALVERSEN",
     "No objection, provided I have the chance to cross."),
    ("turn", "THE COURT", "Of course. Call your witness."),
    ("turn", "MS. OYELARAN", "The county calls Daniel Kovacik."),
    ("turn", "THE CLERK",
     "Please raise your right hand. Do you swear or affirm that the "
     "testimony you are about to give will be the truth, the whole truth, "
     "and nothing but the truth?"),
    ("turn", "THE WITNESS", "I do."),
    ("turn", "THE CLERK",
     "Please be seated, and state and spell your name for the record."),
    ("turn", "THE WITNESS", "Daniel Kovacik, K-O-V-A-C-I-K."),
    ("center", None, "DANIEL KOVACIK,"),
    ("paren", None,
     "having been first duly sworn, was examined and testified as "
     "follows:"),
    ("center", None, "DIRECT EXAMINATION"),
    ("by", None, "BY MS. OYELARAN:"),
    ("q", None, "Mr. Kovacik, what is your position with the county?"),
    ("a", None, "I'm the zoning administrator for Marren County."),
    ("q", None, "How long have you held that position?"),
    ("a", None,
     "Eleven years this April. Before that I was a planner in the same "
     "office for six years."),
    ("q", None, "How is the parcel at 2200 Quarry Road zoned?"),
    ("a", None,
     "It's zoned R-2, medium density residential. The R-2 district allows "
     "a maximum of eight dwelling units per acre."),
    ("q", None, "And what did the Larkspur Commons application propose?"),
    ("a", None,
     "Roughly 14.6 units per acre, which is why it needed a variance from "
     "the Board."),
    ("q", None, "Let me turn to the stop-work order. Who issued it?"),
    ("a", None,
     "I did, on January 8, after one of our inspectors, Glenn Ashby, "
     "reported heavy grading on the northern part of the parcel."),
    ("q", None, "What did you observe when you went out there?"),
    ("a", None,
     "The topsoil had been stripped and the slope toward the creek had "
     "been cut back. There was no silt fencing along the lower edge."),
    ("turn", "THE COURT", "How much of the parcel are we talking about?"),
    ("turn", "THE WITNESS",
     "A little over three acres, Judge. We measured it at 3.1."),
    ("by", None, "BY MS. OYELARAN:"),
    ("q", None, "Which creek are you referring to?"),
    ("a", None,
     "The site drains to Tillman Creek, which runs along the eastern "
     "property line and feeds the Harlan Reservoir about two miles "
     "downstream."),
    ("q", None, "Why does that matter for the order?"),
    ("a", None,
     "Because exposed soil on that slope goes straight into the water in "
     "a heavy rain. After the storm on January 22, our staff documented "
     "sediment plumes roughly four hundred feet below the site."),
    ("q", None, "Did the Board receive public comment on the variance?"),
    ("a", None,
     "It did. We logged 212 written comments before the November hearing, "
     "and 187 of them opposed the project."),
    ("q", None, "What were the main concerns?"),
    ("a", None,
     "Traffic, mostly. The applicant's own study projected about 960 "
     "additional vehicle trips per day on Quarry Road, which is a two-lane "
     "road with no shoulders for most of its length. Stormwater and sewer "
     "capacity came next."),
    ("q", None, "Tell the Court about the sewer situation."),
    ("a", None,
     "The Quarry Road lift station serves that whole corridor. As of our "
     "last report it was running at 87 percent of its rated capacity, and "
     "the utility has told us it does not plan an upgrade before 2027."),
    ("turn", "MS. OYELARAN",
     "Thank you. I'll pass the witness, Your Honor."),
    ("turn", "THE COURT", "Mr. Halversen."),
    ("center", None, "CROSS-EXAMINATION"),
    ("by", None, "BY MR. HALVERSEN:"),
    ("q", None,
     "Mr. Kovacik, you're familiar with the county's comprehensive plan?"),
    ("a", None, "I am."),
    ("q", None,
     "The 2019 plan designates the Quarry Road corridor for mixed "
     "residential use, doesn't it?"),
    ("a", None,
     "It did originally. The future land use map was amended in June "
     "2021, and the corridor south of Pell Avenue went back to a medium "
     "density designation."),
    ("q", None,
     "But the parcel at 2200 Quarry Road is north of Pell Avenue?"),
    ("a", None,
     "Part of it is. The line runs through the parcel, roughly along the "
     "old farm lane."),
    ("q", None,
     "You'd agree the Board granted a density variance to the Orchard "
     "Point project in 2022?"),
    ("a", None, "Yes, it did."),
    ("q", None, "How large was that one?"),
    ("a", None, "Ninety-six units, on about seven acres off Delmont Road."),
    ("q", None, "Same zoning district?"),
    ("a", None,
     "Same district, yes. But Orchard Point connected to the Delmont "
     "interceptor, which had plenty of room. That's the difference."),
    ("q", None,
     "You mentioned silt fencing. Isn't it true that my client offered to "
     "install silt fencing on January 10 and your office told them not to "
     "touch the site?"),
    ("a", None,
     "That's not how I'd put it. We told them any work needed an approved "
     "erosion control plan first. They submitted one on February 3, and "
     "it's still under review."),
    ("q", None, "Still under review a month later?"),
    ("a", None,
     "We had questions about the sediment basin sizing. We sent comments "
     "back on February 18 and haven't received a revised plan."),
    ("turn", "MR. HALVERSEN", "Nothing further."),
    ("turn", "THE COURT", "Redirect?"),
    ("turn", "MS. OYELARAN", "No, Your Honor."),
    ("turn", "THE COURT",
     "Mr. Fenwick, do you have questions for this witness?"),
    ("turn", "MR. FENWICK",
     "No questions, but I'd like a few minutes for argument."),
    ("turn", "THE COURT",
     "You may step down, Mr. Kovacik. Thank you."),
    ("paren", None, "(Witness excused.)"),
    ("turn", "THE COURT", "Mr. Fenwick."),
    ("turn", "MR. FENWICK",
     "Thank you, Your Honor. The Quarry Road Neighbors Association "
     "represents sixty-four households, most of which sit downhill from "
     "this parcel. Several of them draw their drinking water from private "
     "wells near the stream bank, and two of those wells tested cloudy "
     "after the January storm."
     "\n\n"
     "The association's concern is simple. If the Court lifts the order "
     "in full, the grading resumes, and nobody can put the hillside back "
     "once it's gone. We do not oppose stabilization work. We oppose "
     "anything beyond that until the appeal is decided."),
    ("turn", "MS. OYELARAN",
     "The county agrees with Mr. Fenwick on that point. If the Court is "
     "inclined to grant any relief, we'd ask that it be limited to "
     "erosion control measures under an approved plan, with weekly county "
     "inspections, and that the petitioner post a bond."),
    ("turn", "THE COURT", "What amount?"),
    ("turn", "MS. OYELARAN",
     "Two hundred fifty thousand dollars. That is our engineer's estimate "
     "to restore the slope and clean out the channel if the project "
     "stalls."),
    ("turn", "MR. HALVERSEN",
     "Briefly in reply, Your Honor. A bond of that size is punitive when "
     "the work at issue is the very stabilization the county says it "
     "wants. My client would accept a bond of $100,000 and weekly "
     "inspections."),
    ("turn", "THE COURT",
     "All right. I've heard enough to rule on the interim question, and I "
     "want to be clear that nothing I say today is a finding on the "
     "merits of the variance appeal."
     "\n\n"
     "The motion is granted in part and denied in part. The stop-work "
     "order remains in effect for all grading, clearing, and construction "
     "activity. The petitioner may, however, install silt fencing, seed "
     "and mulch the exposed soil, and build the sediment basin, but only "
     "under an erosion control plan approved by the county."
     "\n\n"
     "The county will act on a revised plan within ten business days of "
     "receiving it. Before any of that work begins, the petitioner shall "
     "post a bond in the amount of $150,000, and the county may inspect "
     "the site weekly."
     "\n\n"
     "I'll have a written order out by March 14. I'm also setting a "
     "status conference for April 22 at 1:30 in the afternoon in this "
     "courtroom. Anything else from counsel?"),
    ("turn", "MR. HALVERSEN", "Nothing, Your Honor. Thank you."),
    ("turn", "MS. OYELARAN", "Nothing from the county."),
    ("turn", "MR. FENWICK", "Nothing further."),
    ("turn", "THE COURT", "Then we're adjourned."),
    ("turn", "THE CLERK", "All rise."),
    ("paren", None, "(Proceedings concluded at 10:52 a.m.)"),
]

CERTIFICATE = [
    "                        REPORTER'S CERTIFICATE",
    "          I, Linda M. Farrow, Certified Court Reporter, certify that",
    "I reported the foregoing proceedings in machine shorthand and that",
    "the foregoing pages are a true and accurate transcript of my notes.",
    "          Dated this 11th day of March, 2025.",
    "                         /s/ Linda M. Farrow, CCR No. 0418",
]


def wrap(first_prefix: str, text: str) -> list[str]:
    """Wrap ``text`` so the first line starts with ``first_prefix`` and the
    continuation lines start at the left margin, as court reporters do."""
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=first_prefix,
        subsequent_indent="",
        break_on_hyphens=False,
    )


def layout(items) -> list[str]:
    """Turn the proceedings into a flat list of printed lines."""
    lines: list[str] = []
    for kind, label, text in items:
        if kind == "turn":
            paragraphs = text.split("\n\n")
            lines += wrap(" " * INDENT_TURN + label + ":  ", paragraphs[0])
            for para in paragraphs[1:]:
                lines += wrap(" " * INDENT_TURN, para)
        elif kind in ("q", "a"):
            tag = "Q." if kind == "q" else "A."
            lines += wrap(" " * INDENT_QA + tag + "   ", text)
        elif kind == "center":
            lines.append(text.center(WIDTH).rstrip())
        elif kind == "by":
            lines.append(text)
        elif kind == "paren":
            lines += wrap(" " * INDENT_TURN, text)
        else:  # pragma: no cover - guard against typos in the data
            raise ValueError(kind)
    return lines


def paginate(lines: list[str]) -> list[list[str]]:
    """Split into pages of exactly LINES_PER_PAGE lines (last one padded)."""
    pages = [lines[i:i + LINES_PER_PAGE]
             for i in range(0, len(lines), LINES_PER_PAGE)]
    pages[-1] += [""] * (LINES_PER_PAGE - len(pages[-1]))
    return pages


class TranscriptPDF(FPDF):
    """Letter-size pages with running header and "Page N of M" footer."""

    def header(self):
        self.set_font("Courier", size=9)
        self.set_xy(54, 30)
        self.cell(504, 12, HEADER, align="C")
        self.line(54, 46, 558, 46)

    def footer(self):
        self.set_font("Courier", size=9)
        self.line(54, 742, 558, 742)
        self.set_xy(54, 748)
        self.cell(252, 12, "Marren County Court Reporting Services")
        self.cell(252, 12, f"Page {self.page_no()} of {{nb}}", align="R")


def build(out_path: Path) -> None:
    body_pages = paginate(layout(PROCEEDINGS) + [""] + CERTIFICATE)
    pages = [CAPTION] + body_pages

    # fill in the index with the pages where each examination begins
    def page_of(heading: str) -> int:
        return next(i + 1 for i, page in enumerate(pages)
                    if any(line.strip() == heading for line in page))

    direct = page_of("DIRECT EXAMINATION")
    cross = page_of("CROSS-EXAMINATION")
    pages[0] = [line.format(direct=direct, cross=cross) if "{" in line
                else line for line in CAPTION]

    pdf = TranscriptPDF(orientation="P", unit="pt", format="letter")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.set_title("Transcript of Proceedings - Brightwater Holdings, LLC v. "
                  "Marren County Board of Zoning Appeals")
    pdf.set_author("Linda M. Farrow, CCR")
    pdf.set_creator("make_court_hearing.py")

    top, step = 72, 26.0  # first baseline area and line pitch (double-spaced)
    for page in pages:
        assert len(page) <= LINES_PER_PAGE, len(page)
        pdf.add_page()
        # left rule separating the line numbers from the text
        pdf.line(88, 60, 88, 730)
        pdf.line(91, 60, 91, 730)
        for n in range(LINES_PER_PAGE):
            y = top + n * step
            pdf.set_font("Courier", size=10.5)
            pdf.set_xy(54, y)
            pdf.cell(28, 14, str(n + 1), align="R")
            text = page[n] if n < len(page) else ""
            if text:
                pdf.set_xy(100, y)
                pdf.cell(458, 14, text)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out_path))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
