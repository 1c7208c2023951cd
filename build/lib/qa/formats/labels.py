"""Speaker labels: is this line's start a label, and what name and role does it give?

Every reader uses these: the plain-text reader on each line, the caption readers on a cue's
first words ("NAME: ..."). A label is split into a name and a role ("President of Belarus
Alexander Lukashenko" -> "Alexander Lukashenko", "President of Belarus"; "Mr. Okonjo
(Nigeria) (spoke in French)" -> "Okonjo", "Nigeria"); an honorific ("Mr.", "Dr.") is neither.

Deliberately left out: guessing speakers of unlabelled text, and any per-file rule. The word
lists below are English titles and offices, the same in every transcript.
"""

from __future__ import annotations

import re

_CONNECTORS = set("""of the and for on in to de da del van von der al bin le la &""".split())
_PARTICLES = {"de", "da", "del", "van", "von", "der", "al", "bin", "le", "la"}
# Posts and offices: a label word here is a role, not a name (the scorer uses them too).
POSTS = set(
    """president minister secretary chairman chairwoman chair ambassador representative
    moderator governor senator mayor director general commander colonel chief deputy head
    speaker king queen judge councillor officer captain""".split()
)
HONORIFICS = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "miss", "mx", "mx.", "sir",
              "dame", "madam", "madame", "mister"}  # fmt: skip
_TITLES = (
    POSTS
    | HONORIFICS
    | set(
        """prime justice host professor prof. lord lady interviewer reporter question answer
    audience councilor councilmember councilwoman councilman commissioner inspector major
    lieutenant sergeant rev rev. reverend father pastor rabbi imam anchor panelist panellist
    witness member court clerk counsel attorney operator chairperson vice acting presiding
    rep. rep sen. sen trustee""".split()
    )
)
_NOT_SPEAKERS = set(
    """note source update date time location place title subject re tags topics persons warning
    example transcript present participants attendees agenda summary contents duration
    recorded published url link file language kind category categories keywords author
    description appearances index exhibits proceedings certificate contents witness
    witnesses venue""".split()
)
# "(spoke in Spanish)", "(interpretation from French)", "(via video link)": how, not who.
_MANNER = re.compile(
    r"\s*\((?:spoke|speaking|interpretation|interpreted|translated|through|via|by video|"
    r"off[- ]mic|inaudible|crosstalk)[^)]*\)",
    re.IGNORECASE,
)
# A clock time: "[00:12:03]", "(1:02:15)", "12:03", "00:01:02.500".
_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
TIME_BRACKETED = re.compile(rf"[\[(]\s*({_CLOCK})\s*[\])]")
TIME_LEAD = re.compile(rf"^\s*(?:[\[(]\s*({_CLOCK})\s*[\])]|({_CLOCK})(?=\s))\s*")
# "Speaker 1", "SPEAKER_00", "Speaker A", "Unknown Speaker": diarisation without names.
_GENERIC = re.compile(
    r"(?:unknown\s+|unidentified\s+)?(speaker|participant|person|voice|caller|guest)"
    r"(?:[ _]*(\d{1,3}|[A-Z]))?",
    re.IGNORECASE,
)
_QUESTIONER = {"q": "Q", "question": "Q", "a": "A", "answer": "A"}


def seconds(clock: str) -> float:
    """'1:02:15' -> 3735.0, '12:03' -> 723.0 (minutes:seconds), '00:00:05.5' -> 5.5."""
    parts = clock.replace(",", ".").split(":")
    total = 0.0
    for p in parts:
        total = total * 60 + float(p)
    return total


def strip_times(label: str) -> tuple[str, float | None]:
    """A label without its clock times, and the first time it held."""
    found = None
    m = TIME_LEAD.match(label)
    if m:
        found = seconds(m.group(1) or m.group(2))
        label = label[m.end() :]
    for m in TIME_BRACKETED.finditer(label):
        found = seconds(m.group(1)) if found is None else found
    label = TIME_BRACKETED.sub(" ", label)
    tail = re.search(rf"\s+({_CLOCK})\s*$", label)  # Otter: "Name  0:03"
    if tail:
        found = seconds(tail.group(1)) if found is None else found
        label = label[: tail.start()]
    return " ".join(label.split()), found


def split_label(label: str) -> tuple[str, str | None] | None:
    """Split a speaker label into (name, role), or None if it does not look like one.

    >>> split_label("President of Belarus Alexander Lukashenko")
    ('Alexander Lukashenko', 'President of Belarus')
    >>> split_label("Mr. Okonjo (Nigeria) (spoke in French)")
    ('Okonjo', 'Nigeria')
    >>> split_label("Just think about it") is None
    True
    """
    label, _ = strip_times(label)
    label = _MANNER.sub("", label).strip().strip("*_#> ").strip()
    if not label or len(label) > 200:
        return None
    if label.lower() in _QUESTIONER:
        return _QUESTIONER[label.lower()], None
    if g := _GENERIC.fullmatch(label):
        word = g.group(1).capitalize()
        return (f"{word} {g.group(2).upper()}" if g.group(2) else _title_case(label)), None
    m = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", label)
    if m:  # "MODERATOR (Jane Doe)", "Jane Doe (Moderator)", "Senator Ruiz (R-MT)"
        a, b = m.group(1).strip(), m.group(2).strip()
        if _plain_label(a) is None:
            return None
        if _plain_label(b) is None:  # "Ms Patel (for the appellant)": a role in any case
            if len(b.split()) > 8 or not re.fullmatch(r"[\w .,'’&/-]+", b):
                return None
            inner = split_label(a)
            return (inner[0], b if inner[1] is None else f"{inner[1]}, {b}") if inner else None
        b_name = b if re.fullmatch(r"[A-Z]{1,3}(-[A-Z]{2})?", b) else _title_case(b)
        if a.split()[0].lower() in _TITLES and len(a.split()) == 1:
            inner = split_label(b)
            return (inner[0], _title_case(a)) if inner else None
        inner = split_label(a)
        if inner is None:
            return None
        name, role = inner
        return name, (f"{role}, {b_name}" if role else b_name)
    if "," in label:  # "Jane Doe, Chair of the Committee", "Jane Doe, Deputy, Office of X"
        name, _, role = label.partition(",")
        if _plain_label(name) is None or any(_plain_label(r.strip()) is None
                                             for r in role.split(",")):  # fmt: skip
            return None
        inner = split_label(name)
        if inner is None:
            return None
        return inner[0], _title_case(role.strip())
    if _plain_label(label) is None:
        return None
    words = _title_case(label).split()
    lower = [w.lower() for w in words]
    # An honorific is how one addresses the person, neither name nor role.
    while len(words) > 1 and lower[0] in HONORIFICS:
        words, lower = words[1:], lower[1:]
    if lower[0] == "the" and len(words) <= 4:  # "The President", "The COURT", "The Clerk"
        return " ".join(words), None
    if len(words) <= 3 and not (_CONNECTORS & set(lower)) and lower[0] not in _TITLES:
        return " ".join(words), None
    if all(w.rstrip(".") in _TITLES or w in _TITLES for w in lower):  # "Audience Member"
        return " ".join(words), None
    if len(words) == 1:
        return words[0], None
    n = 2
    if len(words) >= 3 and (lower[-3] in _PARTICLES or re.fullmatch(r"[A-Z]\.", words[-2])):
        n = 3
    # "President Putin": a title followed by one name.
    if lower[-2] in _TITLES or lower[-2] in _CONNECTORS:
        n = 1
    name, role = words[-n:], words[:-n]
    return " ".join(name), (" ".join(role) or None)


def _plain_label(label: str) -> list[str] | None:
    """The label's words if it is shaped like a name/role, else None."""
    words = label.split()
    if not 1 <= len(words) <= 25:
        return None
    if not re.fullmatch(r"[^\W\d_][\w .'’&-]*", label.strip()) or "_" in label:
        return None
    if words[0][0].islower() or words[-1].lower() in _CONNECTORS:
        return None
    if words[0].lower() in _CONNECTORS - {"the"}:  # "For the Petitioner:" is no one's name
        return None
    if len(words) == 1 and words[0].lower() in _NOT_SPEAKERS:
        return None
    if len(words) <= 2 and words[-1].lower() in _NOT_SPEAKERS:  # "Publication date"
        return None
    for w in words:
        if w.lower() in _CONNECTORS:
            continue
        if not (w[0].isupper() or w.isupper()):
            return None
    return words


def _title_case(s: str) -> str:
    s = s.strip()
    if s.isupper() and any(c.isalpha() for c in s):
        words = [
            "-".join(part.capitalize() for part in w.split("-"))  # "OYELARAN-DOSS"
            if w.lower() not in _CONNECTORS else w.lower()
            for w in s.split()
        ]  # fmt: skip
        return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])
    # "Mr. JORDAN", "Senator KLOBUCHAR": capitals after a title are the surname's.
    return " ".join(
        w.capitalize() if w.isupper() and len(w) > 1 and w.isalpha()
        else re.sub(r"^(Mc|Mac)([A-Z]{2,})$", lambda m: m.group(1) + m.group(2).capitalize(), w)
        for w in s.split()
    )  # fmt: skip


# ------------------------------------------------------------------ a label at a line's start

_COLON = re.compile(
    r"^(?P<lead>\s*(?:[*_]{1,2})?)(?P<label>(?:[^:*_\n(\[]|[(\[][^)\]\n]{0,40}[)\]]){1,200}?)"
    r"\s*(?:[*_]{1,2})?"
    r"\s*:\s*(?:[*_]{1,2})?(?=\s|$)[ \t]*"
)
# Congressional and court style: "Mr. JORDAN.", "The CHAIRMAN.", "Senator KLOBUCHAR.",
# "MR. SMITH." (a period ends the label; the surname is in capitals).
_PERIOD = re.compile(
    r"^\s*(?P<label>(?:(?:[A-Z][a-z]{0,12}\.?|THE|MR\.|MRS\.|MS\.|DR\.)\s+){0,3}"
    r"(?:Mc|Mac|O’|O')?[A-Z][A-Z'’-]+(?:\s+[A-Z][A-Z'’-]+){0,3})"
    r"(?:\s+of\s+(?P<place>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?))?\.[ \t]+(?=\S)"
)
_QA = re.compile(
    r"^\s*(?:(?P<label>Q)(?:[.:]\s+|\s{2,}|\s+(?=[A-Z\"“]))"
    r"|(?P<label2>A|Question|Answer)[.:]\s+)"
)
_OTTER = re.compile(rf"^\s*(?P<label>[^\d\s:][^:]{{0,80}}?)\s+(?P<time>{_CLOCK})\s*$")
_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<label>.+?)\s*#*\s*$")


def line_label(line: str) -> tuple[str, str | None, int, float | None, str] | None:
    """(name, role, offset where the speech starts in the line, time, style), or None.

    The offset is len(line) when the label stands alone on its line (the speech follows on
    the next lines).
    """
    lead = TIME_LEAD.match(line)
    skip = lead.end() if lead else 0
    t0 = seconds(lead.group(1) or lead.group(2)) if lead else None
    rest = line[skip:]
    for style, pattern in (("qa", _QA), ("colon", _COLON), ("period", _PERIOD)):
        m = pattern.match(rest)
        if not m:
            continue
        raw = m.groupdict().get("label") or m.groupdict().get("label2")
        if style == "colon" and re.fullmatch(r"\s*[\d#>].*", raw):  # "# Title: subtitle"
            continue
        who = split_label(raw)
        if who is None:
            continue
        if style == "period" and not re.search(r"[A-Z]{2,}", raw):
            continue
        if style == "period" and m.groupdict().get("place"):  # "Mr. SMITH of Texas."
            who = (who[0], f"of {m.group('place')}")
        _, t = strip_times(raw)
        start = skip + m.end()
        after = line[start:]
        lt = TIME_LEAD.match(after)  # "**Dr. Ortiz:** [01:02:10] Thank you."
        if lt and (lt.group(1) or not after[lt.end() :].strip()):
            t = t if t is not None else seconds(lt.group(1) or lt.group(2))
            start += lt.end()
        return who[0], who[1], start, t0 if t0 is not None else t, style
    m = _OTTER.match(rest)
    if m and (who := split_label(m.group("label"))):
        return who[0], who[1], len(line), seconds(m.group("time")), "otter"
    return None


def heading_label(line: str) -> tuple[str, str | None] | None:
    """A Markdown heading over a turn ("### Senator Ruiz (R-MT)"): only when it names a post
    or an honorific, so "## Opening statements" stays a section heading."""
    m = _HEADING.match(line)
    if not m:
        return None
    who = split_label(m.group("label"))
    if who is None:
        return None
    words = {w.lower().strip(".,()") for w in m.group("label").split()}
    return who if words & (POSTS | HONORIFICS) else None


def link_names(names: list[str]) -> dict[str, str]:
    """Map each name to the fuller name of the same person in the same document.

    "Putin" -> "Vladimir Putin" (a word-suffix of exactly the longest such name); "Dana" ->
    "Dana Whitlock" (a lone first name that begins exactly one longer name).
    """
    canon = {}
    names = list(dict.fromkeys(names))  # subtle: one entry per name; a long hearing has thousands
    for n in names:
        toks = n.lower().split()
        best = n
        for other in names:
            o = other.lower().split()
            if len(o) > len(best.split()) and o[-len(toks) :] == toks:
                best = other
        if best == n and len(toks) == 1 and toks[0] not in _QUESTIONER:
            firsts = {o for o in names if len(o.split()) > 1 and o.lower().split()[0] == toks[0]}
            if len(firsts) == 1:
                best = firsts.pop()
        canon[n] = best
    return canon
