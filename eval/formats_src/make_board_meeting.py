"""Generate ``eval/formats/board_meeting.docx``, an Otter.ai-style Word export.

The meeting (Tamsin Valley Water Authority, board of directors, May 13, 2025)
is entirely fictional: people, places and figures are invented.

The document imitates what Otter.ai writes when a conversation is exported
to .docx:

* a title paragraph, then a "date time • duration" paragraph;
* a SUMMARY KEYWORDS / SPEAKERS block;
* each turn as a heading paragraph ``Name  M:SS`` or ``Name  H:MM:SS``
  (speaker name, two spaces, elapsed time), followed by the speech in one
  or more plain paragraphs;
* speakers Otter could not identify appear as ``Speaker 3``, ``Speaker 7``;
* the same speaker can head two consecutive turns (after a pause);
* spoken-language disfluencies ("um", false starts) are kept;
* a trailing "Transcribed by https://otter.ai" line.

Usage (needs python-docx)::

    python eval/formats_src/make_board_meeting.py [output.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.shared import Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "formats" / "board_meeting.docx"

TITLE = "Tamsin Valley Water Authority - Board of Directors Regular Meeting"
DATE_LINE = "Tue, May 13, 2025 6:02PM \u2022 1:12:48"
KEYWORDS = ("rate increase, budget, millbrook, membranes, main breaks, "
            "reserves, lead service lines, assistance program, director, "
            "resolution, harlow street, state revolving fund")

# (speaker, elapsed time, speech); "\n\n" separates paragraphs of one turn.
TURNS = [
    ("Harriet Lindqvist", "0:03",
     "Okay, it's 6:02, so I'm going to call the regular meeting of the "
     "Tamsin Valley Water Authority Board of Directors to order. Um, for "
     "the record, all five directors are present, Director Wexford is "
     "joining us remotely tonight. We have a pretty full agenda. The main "
     "items are the fiscal 2026 budget and the rate resolution, and then "
     "an operations update from Dmitri. We'll take public comment first. "
     "Marcus, did anyone sign up?"),
    ("Marcus Abernathy", "0:41",
     "We have one card, Madam Chair. And possibly one more person on the "
     "phone line."),
    ("Harriet Lindqvist", "0:47",
     "Okay. Please come up to the mic, and you have three minutes."),
    ("Speaker 3", "0:58",
     "Hi, thanks. So I live on Harlow Street in the Ferndale neighborhood, "
     "and since about February our water pressure has been terrible. Like, "
     "in the morning you can barely run a shower and the dishwasher at the "
     "same time. I called the customer line twice, I got a ticket number, "
     "but nobody really followed up. I guess I just want to know if "
     "anybody is actually working on it."),
    ("Marcus Abernathy", "1:39",
     "Yeah, thank you for coming in, and I apologize that you didn't get a "
     "callback, that's on us. Um, we know what the problem is on Harlow. "
     "There's a pressure reducing valve at the Ferndale station that's "
     "failing, and the replacement part has been on backorder. Crews are "
     "scheduled to swap it out the week of June 9. If you leave your "
     "number with the clerk, I'll have someone call you directly."),
    ("Speaker 3", "2:20", "Okay. Great, thank you."),
    ("Harriet Lindqvist", "2:24", "Thank you. Anyone on the phone?"),
    ("Speaker 7", "2:31",
     "Yes, hi, um, this is, I'm calling from Westbury. I just wanted to, "
     "wanted to say I'm against the rate increase. Rates went up last year "
     "too and people on fixed incomes are getting squeezed. That's it."),
    ("Harriet Lindqvist", "2:52",
     "Thank you for your comment. Okay, seeing no one else, we'll close "
     "public comment and move to item four, the fiscal 2026 budget. "
     "Priya?"),
    ("Priya Raghunathan", "3:05",
     "Thank you, Chair. So the proposed operating budget for fiscal 2026 "
     "is $38.7 million, which is up 4.1% from the current year. The "
     "biggest drivers are chemicals, which are up almost 19% since the "
     "contract renewal, and electricity at the Millbrook plant and the "
     "booster stations."
     "\n\n"
     "On the capital side, the five-year capital improvement plan totals "
     "$112 million. The largest single project in the next two years is "
     "the membrane replacement at Millbrook, and Dmitri will speak to "
     "that in a minute."
     "\n\n"
     "In terms of reserves, our policy target is 180 days cash on hand. "
     "As of March 31 we were at 212 days, which is healthy, but the "
     "capital plan draws that down to around 150 days by fiscal 2028 if "
     "we don't adjust rates. So that's the context for the rate "
     "resolution later tonight."),
    ("Celeste Marquand", "6:48",
     "Priya, can I ask, the 112 million, how much of that is debt versus "
     "cash?"),
    ("Priya Raghunathan", "6:55",
     "Roughly 60% would be financed through revenue bonds and the state "
     "revolving fund, and the remaining 40% comes from rates and "
     "reserves."),
    ("Tobias Wexford", "7:09",
     "Sorry, I'm, can you hear me? Okay. I just want to flag the chemical "
     "number. 19% in one year. Did we go out to bid on that, or was that "
     "an extension?"),
    ("Priya Raghunathan", "7:21",
     "It was a competitive bid. We had three bidders, and the low bidder "
     "came in at that price. The previous contract was signed in 2021, so "
     "it was a pretty big reset."),
    ("Ines Benning", "7:33", "Does the budget add any positions?"),
    ("Priya Raghunathan", "7:38",
     "Three. Two meter technicians and a GIS analyst for the lead line "
     "work, about $310,000 a year with benefits. We're holding two other "
     "vacancies open, so net headcount stays at 96."),
    ("Harriet Lindqvist", "8:02",
     "Okay. Dmitri, do you want to do the operations piece now, since it "
     "ties into the capital plan?"),
    ("Dmitri Solano", "8:08",
     "Sure. So, first, the membrane replacement at Millbrook. The current "
     "membranes went in in 2013, and we're seeing fouling rates that "
     "force us to clean them almost twice as often as we did five years "
     "ago. The engineer's estimate for the full replacement is $14.2 "
     "million, and we'd do it in two phases so the plant never drops "
     "below 70% capacity during the summer."
     "\n\n"
     "Second thing is main breaks. We had 143 main breaks in calendar "
     "2024, compared with 118 the year before. Most of those are on the "
     "cast iron mains from the fifties and sixties on the east side. Our "
     "non-revenue water, so water we treat but never bill for, is sitting "
     "around 17 percent, and the industry target is closer to 10."
     "\n\n"
     "And then lead service lines. The inventory we submitted to the "
     "state in October identified 2,340 lead or galvanized lines, and "
     "under the federal rule those all have to be replaced by 2034."),
    ("Celeste Marquand", "11:30",
     "And the lifespan on the new membranes, Dmitri?"),
    ("Dmitri Solano", "11:34",
     "Manufacturer warrants them for ten years. We got almost twelve out "
     "of the current set, so we're hoping for something similar."),
    ("Tobias Wexford", "11:43",
     "On the lead lines, who pays for the customer side of the meter?"),
    ("Marcus Abernathy", "11:48",
     "That's a great question and we've been, um, going back and forth on "
     "it with legal. The good news is we were awarded $6.8 million from "
     "the state revolving fund in April, and about half of that is "
     "principal forgiveness, so it's basically a grant. That covers "
     "roughly the first 900 replacements, both sides of the meter, at no "
     "cost to the homeowner."),
    ("Rafael Quintero", "12:30",
     "And after the first 900? Because that's, what, not even half."),
    ("Marcus Abernathy", "12:37",
     "We'll apply again in the fall round. Staff will bring a cost-sharing "
     "policy for the remaining lines to the board in September."),
    ("Harriet Lindqvist", "12:49",
     "Okay. Thank you both. Before the rate resolution, we'll take a "
     "ten minute recess. Please be back at 6:25."),
    ("Harriet Lindqvist", "23:58",
     "Alright, we're back in session, it's 6:26. Item five, the rate "
     "resolution. Priya, go ahead."),
    ("Priya Raghunathan", "24:40",
     "So, as you saw at the April workshop, staff's original "
     "recommendation was a 6.5% increase across the board. After the "
     "workshop we went back and looked at phasing the Millbrook project, "
     "and we think we can get there with 5.25% this year. For a typical "
     "residential customer using 6,000 gallons a month, the average bill "
     "would go from $68.40 to $71.99."
     "\n\n"
     "The other piece is the customer assistance program. Right now it "
     "covers about 1,100 households. The budget includes $420,000 to "
     "expand the program to 1,800 households, and we'd raise the income "
     "limit to 200% of the federal poverty level."),
    ("Tobias Wexford", "26:12",
     "I appreciate the work staff did to bring it down, I really do. But I "
     "can't support another increase above inflation two years in a row. "
     "Last year was 7%. I'd rather see us, um, push the second Millbrook "
     "phase out a year and hold it at 3."),
    ("Dmitri Solano", "26:38",
     "If I can just respond to that. Pushing phase two means running the "
     "old membranes through another peak season, and on the second train "
     "we're already losing about 8% of throughput. I wouldn't recommend "
     "it."),
    ("Celeste Marquand", "27:01",
     "I'm comfortable with 5.25. I'll move adoption of Resolution 2025-14, "
     "setting a 5.25% rate increase effective July 1, together with the "
     "fiscal 2026 budget as presented."),
    ("Rafael Quintero", "27:15", "Second."),
    ("Harriet Lindqvist", "27:17",
     "Moved and seconded. Any further discussion? Okay, roll call. "
     "Director Marquand?"),
    ("Celeste Marquand", "27:24", "Aye."),
    ("Harriet Lindqvist", "27:25", "Director Quintero?"),
    ("Rafael Quintero", "27:26", "Aye."),
    ("Harriet Lindqvist", "27:27", "Director Benning?"),
    ("Ines Benning", "27:29", "Yes. Aye."),
    ("Harriet Lindqvist", "27:30", "Director Wexford?"),
    ("Tobias Wexford", "27:32", "No."),
    ("Harriet Lindqvist", "27:35",
     "And the chair votes aye. The resolution passes four to one, with "
     "Director Wexford voting no. Thank you, everybody, that was a good "
     "discussion."),
    ("Harriet Lindqvist", "28:02",
     "Item six is the contract award for the Eastgate main replacement. "
     "Marcus?"),
    ("Marcus Abernathy", "28:08",
     "Yes. We received five bids, and staff recommends award to Korvath "
     "Pipeline, the low responsive bidder, at $2.86 million. That's about "
     "11% under the engineer's estimate. The work replaces 1.7 miles of "
     "cast iron main along Eastgate Road and Cooper Lane, starting in "
     "August."),
    ("Rafael Quintero", "28:47", "So moved."),
    ("Celeste Marquand", "28:49", "Second."),
    ("Harriet Lindqvist", "28:51",
     "All in favor? Any opposed? Hearing none, that carries five to "
     "zero."),
    ("Harriet Lindqvist", "28:58",
     "Item seven is a closed session on pending litigation, the "
     "Riverbend easement matter. We'll go into closed session now, the "
     "public portion is recessed."),
    ("Harriet Lindqvist", "1:11:40",
     "We're back in open session. There is no reportable action from "
     "closed session."),
    ("Speaker 7", "1:11:47", "Hello? Is this still, am I still on?"),
    ("Harriet Lindqvist", "1:11:52",
     "You are, but public comment is closed for tonight, sorry. Okay, "
     "with that, our next regular meeting is Tuesday, June 10, here "
     "at the operations center. It's 7:14, and we are adjourned. Thanks, "
     "everyone."),
]

SPEAKERS = []
for _name, _time, _speech in TURNS:
    if _name not in SPEAKERS:
        SPEAKERS.append(_name)

GREY = RGBColor(0x6B, 0x6B, 0x6B)


def build(out_path: Path) -> None:
    doc = Document()
    doc.core_properties.title = TITLE
    doc.core_properties.author = "Otter.ai"
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    title = doc.add_paragraph()
    run = title.add_run(TITLE)
    run.bold = True
    run.font.size = Pt(16)

    date_par = doc.add_paragraph()
    run = date_par.add_run(DATE_LINE)
    run.font.color.rgb = GREY

    for heading, body in (("SUMMARY KEYWORDS", KEYWORDS),
                          ("SPEAKERS", ", ".join(SPEAKERS))):
        head = doc.add_paragraph()
        run = head.add_run(heading)
        run.bold = True
        run.font.size = Pt(9)
        doc.add_paragraph(body)

    for name, elapsed, speech in TURNS:
        turn_head = doc.add_paragraph()
        turn_head.paragraph_format.space_before = Pt(10)
        turn_head.paragraph_format.keep_with_next = True
        name_run = turn_head.add_run(name)
        name_run.bold = True
        time_run = turn_head.add_run("  " + elapsed)
        time_run.font.color.rgb = GREY
        for para in speech.split("\n\n"):
            doc.add_paragraph(para)

    footer = doc.add_paragraph()
    footer.paragraph_format.space_before = Pt(18)
    run = footer.add_run("Transcribed by https://otter.ai")
    run.italic = True
    run.font.color.rgb = GREY

    out_path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out_path))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
