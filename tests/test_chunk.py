"""The chunker on both seeds and on a transcript in another format."""

from collections import Counter

import pytest
from conftest import DATA, KREMLIN, SEEDS, UN

from qa.chunk import chunk_text, count_tokens, sentence_spans
from qa.formats.labels import split_label
from qa.formats.text import parse_date

FURNITURE = [
    "3 of 5",
    "See also",
    "Topics",
    "Persons",
    "Publication status",
    "Publication date",
    "Published in sections",
    "Text version",
    "* * *",
]


def chunked(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    doc, passages = chunk_text(text, name)
    return text, doc, passages


def test_kremlin_has_seven_speakers_with_roles():
    _, _, passages = chunked(KREMLIN)
    speakers = {(p.speaker, p.role) for p in passages if p.speaker}
    assert speakers == {
        ("Nikol Pashinyan", "Prime Minister of Armenia"),
        ("Kassym-Jomart Tokayev", "President of Kazakhstan"),
        ("Stanislav Zas", "Secretary General of the Collective Security Treaty Organisation"),
        ("Alexander Lukashenko", "President of Belarus"),
        ("Vladimir Putin", "President of Russia"),
        ("Emomali Rahmon", "President of Tajikistan"),
        (
            "Akylbek Japarov",
            "Chairman of the Cabinet of Ministers and Chief of Staff of the "
            "Presidential Executive Office of Kyrgyzstan",
        ),
    }


def test_kremlin_header_becomes_metadata():
    _, doc, passages = chunked(KREMLIN)
    assert doc.title == "Session of CSTO Collective Security Council"
    assert doc.date == "2022-01-10"
    assert doc.place == "Novo-Ogaryovo, Moscow Region"
    assert len(doc.participants) == 7
    assert all(p.date == "2022-01-10" and p.title == doc.title for p in passages)
    header = [p for p in passages if p.turn == 0]
    assert header and all(p.speaker is None for p in header)
    assert "Events" not in header[0].text.split("\n")  # the site breadcrumb
    # The dateline (date, time, place) stays one passage: a lone time is not a breadcrumb.
    dateline = next(p for p in header if "January 10, 2022" in p.text)
    assert "11:45" in dateline.text and "Novo-Ogaryovo" in dateline.text


def test_furniture_is_never_speech():
    for name in (KREMLIN, UN):
        _, _, passages = chunked(name)
        for p in passages:
            for line in p.text.splitlines():
                assert line.strip() not in FURNITURE, (p.speaker, line)
                assert not line.startswith(("Publication date", "Published in sections"))
    _, _, passages = chunked(KREMLIN)
    last = max(passages, key=lambda p: p.start)
    assert last.speaker == "Nikol Pashinyan"
    assert last.text.endswith("Goodbye. All the best.")


def test_offsets_map_back_to_the_exact_text():
    for name in (KREMLIN, UN):
        text, _, passages = chunked(name)
        for p in passages:
            assert text[p.start : p.end] == p.text
        assert len({p.id for p in passages}) == len(passages)


def test_every_embedded_text_fits_the_model(embedder):
    """Nothing is silently truncated: header + text stay under the model's word-piece limit."""
    for name in (KREMLIN, UN):
        _, _, passages = chunked(name)
        longest = max(embedder.count_tokens(p.embedding_text()) for p in passages)
        assert longest <= embedder.max_tokens == 256


def test_windows_overlap_and_cover_every_sentence():
    text, _, passages = chunked(KREMLIN)
    tokayev = sorted(
        (p for p in passages if p.speaker == "Kassym-Jomart Tokayev"), key=lambda p: p.start
    )
    assert len(tokayev) > 5
    for a, b in zip(tokayev, tokayev[1:]):
        assert b.start < a.end  # a sentence of overlap
    covered = set()
    for p in tokayev:
        covered.update(range(p.start, p.end))
    for a, b in sentence_spans(text[tokayev[0].start : tokayev[-1].end], tokayev[0].start):
        assert a in covered and b - 1 in covered


def test_un_statement_is_attributed_to_the_quoted_speaker():
    _, doc, passages = chunked(UN)
    assert doc.date == "2022-02-16"
    who = Counter(p.speaker for p in passages)
    assert set(who) == {None, "Magzhan Ilyassov"}
    quoted = [p for p in passages if p.speaker]
    assert quoted[0].role == "Permanent Representative of Kazakhstan"
    assert quoted[0].text.startswith("“Mr. President")
    assert quoted[-1].text.endswith("I thank you.”")
    narration = [p for p in passages if p.speaker is None]
    assert narration[0].text.startswith("On 16 February 2022")


def test_short_courtesy_turns_are_minor():
    _, _, passages = chunked(KREMLIN)
    minor = [p.text for p in passages if p.minor]
    assert minor == ["Thank you, Mr President.\nGoodbye. All the best."]


def test_another_format_capitals_timestamps_moderator():
    text = (DATA / "panel_2023.txt").read_text(encoding="utf-8")
    doc, passages = chunk_text(text, "panel_2023.txt")
    assert (doc.title, doc.date, doc.place) == (
        "Town Hall on Water Supply",
        "2023-03-14",
        "Riverside Community Centre",
    )
    speakers = {(p.speaker, p.role) for p in passages if p.speaker}
    assert speakers == {
        ("Jane Okafor", "Moderator"),
        ("Paul Mendes", None),  # an honorific is neither name nor role
        ("Rita Holm", "Councillor"),
    }
    mendes = " ".join(p.text for p in passages if p.speaker == "Paul Mendes")
    assert "85,000 households" in mendes and "Mill Road" in mendes  # "MENDES:" linked
    assert not any("recording was interrupted" in p.text for p in passages)  # editorial note
    assert not any("[00:" in p.text for p in passages)


@pytest.mark.parametrize(
    "label, expected",
    [
        (
            "President of Belarus Alexander Lukashenko",
            ("Alexander Lukashenko", "President of Belarus"),
        ),
        ("Nikol Pashinyan", ("Nikol Pashinyan", None)),
        ("MODERATOR (Jane Okafor)", ("Jane Okafor", "Moderator")),
        ("Jane Doe, Chair of the Committee", ("Jane Doe", "Chair of the Committee")),
        ("President Putin", ("Putin", "President")),
        ("Just think about it", None),
        ("Publication date", None),
        ("Note", None),
    ],
)
def test_split_label(label, expected):
    assert split_label(label) == expected


def test_parse_date_formats():
    assert parse_date("January 10, 2022") == "2022-01-10"
    assert parse_date("On 16 February 2022, the Council") == "2022-02-16"
    assert parse_date("Date: 2023-03-14") == "2023-03-14"
    assert parse_date("no date here") is None


def test_sentences_keep_abbreviations():
    spans = sentence_spans("Mr. President, thank you. I agree.")
    assert len(spans) == 2


def test_token_count_is_offline_cl100k():
    assert count_tokens("hello world") == 2


def test_chunker_version_matches_its_output():
    """Changing what the chunker produces must bump CHUNKER_VERSION (the index then rebuilds).

    If this fails after a deliberate change: bump CHUNKER_VERSION and update the pair below.
    """
    import hashlib
    import json

    from qa.chunk import CHUNKER_VERSION

    h = hashlib.sha256()
    for name in (KREMLIN, UN):
        _, doc, passages = chunked(name)
        rows = [(p.start, p.end, p.speaker, p.role, p.turn, p.minor) for p in passages]
        meta = [doc.source, doc.title, doc.date, doc.place, doc.participants]
        h.update(json.dumps([meta, rows]).encode())
    assert (CHUNKER_VERSION, h.hexdigest()[:16]) == ("6", "7c47d309c308e9ac")


def test_town_hall_format_headings_audience_and_replies():
    from conftest import ROOT

    text = (ROOT / "eval" / "corpus" / "town_hall.txt").read_text(encoding="utf-8")
    doc, passages = chunk_text(text, "town_hall.txt")
    assert doc.title == "RIVERSIDE COUNTY TOWN HALL: THE NEW RESERVOIR"  # a heading, not a speaker
    assert (doc.date, doc.place) == ("2023-03-14", "Riverside Community Centre, Hall B")
    speakers = {p.speaker for p in passages if p.speaker}
    assert speakers == {"Jane Okafor", "Paul Mendes", "Rita Holm", "Tamas Varga", "Audience Member"}
    cost = next(p for p in passages if "212 million" in p.text)
    assert cost.context == "Jane Okafor asked: And the cost?"
    assert cost.embedding_text().splitlines()[1] == cost.context
    museum = next(p for p in passages if "museum" in p.text)
    assert museum.context.startswith("Audience Member asked: What happens to the old Mill Road")


def test_fixed_chunks_baseline():
    from qa.chunk import chunk_fixed

    text, doc, _ = chunked(KREMLIN)
    fixed = chunk_fixed(doc)
    assert all(len(p.text) <= 1000 and p.speaker is None and p.turn == -1 for p in fixed)
    assert all(text[p.start : p.end] == p.text for p in fixed)
    assert fixed[1].start < fixed[0].end  # 200 characters of overlap
    assert fixed[0].embedding_text() == fixed[0].text  # no context header
