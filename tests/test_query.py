"""Reading questions: types, verbs, acronyms and follow-up rewriting (no index needed)."""

import pytest

from qa.query import (
    acronyms,
    adverbs,
    attribute_terms,
    content_terms,
    context_terms,
    counted_terms,
    degree_words,
    focus_of,
    literal_stem,
    question_type,
    rewrite,
    stem,
    synonym,
    verbs,
    voice_of,
)


@pytest.mark.parametrize(
    "earlier, follow_up, expected",
    [
        ("Who commanded the CSTO force?", "And when did it withdraw?",
         "When did the CSTO force withdraw?"),
        ("Who is the Secretary General of the CSTO?", "Whom did he speak with yesterday?",
         "Whom did the Secretary General of the CSTO speak with yesterday?"),
        ("What did Lukashenko say about the West?", "What did he say about Afghanistan?",
         "What did Lukashenko say about Afghanistan?"),
        ("Who is the President of Kazakhstan?", "What did he thank Putin for?",
         "What did the President of Kazakhstan thank Putin for?"),
        ("How many troops did Kyrgyzstan send to Kazakhstan?", "How did they travel there?",
         "How did the Kyrgyzstan troops travel to Kazakhstan?"),
        ("When did the withdrawal of CSTO troops begin?", "And when was it completed?",
         "When was the withdrawal of CSTO troops completed?"),
        ("What did Tamas Varga say about compensation?", "When will his association meet about it?",
         "When will Tamas Varga's association meet about compensation?"),
        ("Who commanded the force?", "How many troops were deployed?",
         "How many troops were deployed?"),  # no pronoun: unchanged
        # a fragment with the previous question's preposition swaps its object
        ("What did Lukashenko say about Uzbekistan?", "And about Afghanistan?",
         "What did Lukashenko say about Afghanistan?"),
        ("How many troops did Russia send to Kazakhstan?", "And to Kyrgyzstan?",
         "How many troops did Russia send to Kyrgyzstan?"),
        # a bare question keeps its own kind and takes the previous one's topic
        ("What did Rahmon say about the civil war?", "How many died?",
         "How many died (Rahmon civil war)?"),
        ("When did the peacekeepers leave?", "Why?", "Why (peacekeepers leave)?"),
        ("When did the peacekeepers leave?", "Who is Serdyukov?", "Who is Serdyukov?"),
    ],
)  # fmt: skip
def test_follow_ups_spell_out_their_subject(earlier, follow_up, expected):
    assert rewrite(follow_up, [earlier]) == expected


def test_it_stands_for_a_thing_not_a_person():
    people = frozenset({"kassym-jomart", "tokayev"})
    assert rewrite("Will others find it useful?", ["What lesson did Tokayev draw?"], people) == (
        "Will others find the lesson useful?"
    )
    # "he" still does, and a country or an organisation can be "it"
    assert rewrite("What else did he say?", ["What lesson did Tokayev draw?"], people) == (
        "What else did Tokayev say?"
    )
    assert rewrite("When did it ask?", ["What did Kazakhstan want?"], people) == (
        "When did Kazakhstan ask?"
    )


def test_too_is_no_topic():
    assert "too" not in content_terms("Will other members find it useful too?")


def test_no_history_no_rewrite():
    assert rewrite("When did it withdraw?", None) == "When did it withdraw?"
    assert rewrite("When did it withdraw?", ["  "]) == "When did it withdraw?"


@pytest.mark.parametrize(
    "question, kind",
    [
        ("How many troops were deployed?", "count"),
        ("What will the project cost?", "count"),
        ("When did the contingent withdraw?", "when"),
        ("On what date was the session held?", "when"),
        ("Who chaired the session?", "who"),
        ("Which joint exercise helped?", "which"),
        ("Where were the command posts?", "where"),
        ("What triggered the protests?", "why"),
        ("Why did the criminals attack morgues?", "why"),
        ("What did the government do about fuel prices?", "other"),
        ("What does Lukashenko think they forget when challenged?", "other"),
        # keywords name the kind they want
        ("withdrawal date of the CSTO troops", "when"),
        ("kazakhstan death toll", "count"),
        ("What was the death toll among the peacekeepers?", "other"),
        ("number of troops deployed", "count"),
        ("serdyukov", "other"),
        ("Was this the first date?", "other"),  # yes/no
    ],
)
def test_question_types(question, kind):
    assert question_type(question) == kind


@pytest.mark.parametrize(
    "question, focus",
    [
        ("Which airport did Kazakhstan's forces clear?", "airport"),
        ("Which joint exercise helped prepare the peacekeepers?", "exercise"),
        ("What kind of technologies were used?", "technologies"),
        ("What is the capital of Armenia?", None),
    ],
)
def test_focus_of_a_which_question(question, focus):
    assert focus_of(question) == focus


def test_verbs_are_not_topics():
    assert verbs("How many vehicles did the police lose?") == {"lose"}
    assert "asked" in verbs("Who asked the CSTO for assistance?")
    assert verbs("What is the population of Kazakhstan?") == set()
    assert verbs("When will Kazakhstan hold parliamentary elections?") == {"hold"}
    assert "gone" in verbs("Which countries has he named as having gone through this?")
    assert "coming" in verbs("What does it provide for citizens coming back?")


def test_acronyms_and_stems():
    assert "LPG" in acronyms("the cost of liquefied petroleum gas")
    assert "CSTO" in acronyms("the Collective Security Treaty Organisation")
    assert stem("deployed") == stem("deployment") == "deploy"
    assert stem("moderated") == stem("moderator")
    assert stem("withdrew") == "withdraw"
    assert stem("wore") == stem("wear") == stem("wearing")
    assert stem("decision") == stem("decided") and stem("extension") == stem("extend")
    assert stem("life") == stem("live") and stem("losses") == stem("lose")
    assert stem("detainees") == stem("detained")
    assert verbs("When did the peacekeepers finish leaving?") == {"finish", "leaving"}
    assert counted_terms("How many died?") == [] and "died" in verbs("How many died?")
    assert stem("mission") != stem("mid")
    # a possessive or a closing quote is not part of the word
    assert stem("Kazakhstan’s") == stem("Kazakhstan's") == stem("Kazakhstan") == "kazakhstan"
    assert stem("Maidan’") == "maidan" and stem("armourers’") == stem("armourers")
    # a quality and the adjective it names
    assert stem("confidence") == stem("confident") and stem("violence") == stem("violent")
    assert stem("importance") == stem("important") and stem("France") != stem("Frank")


def test_indefinite_pronouns_are_not_topics():
    assert content_terms("Did anyone mention Libya?") == ["mention", "libya"]


def test_prepositions_and_focus_particles_are_not_topics():
    # "inside" and "alone" bend the phrase; a passage need not hold them to answer
    terms = content_terms("Why can't it be solved inside Kazakhstan alone?")
    assert terms == ["solved", "kazakhstan"]


def test_the_word_a_how_question_measures_frames_it():
    assert degree_words("How fast was the force deployed?") == {"fast"}
    assert degree_words("How serious was the crisis?") == {"serious"}
    assert degree_words("How many troops were sent?") == set()
    assert degree_words("How did Putin react?") == set()
    assert degree_words("how peacekeepers left") == set()  # a noun, not a measure


def test_adverbs_are_not_topics():
    assert adverbs("Will the force stay permanently?") == {"permanently"}
    assert adverbs("What did the family of Italy supply?") == set()


def test_voice_of_whose_words_are_asked_for():
    names = ["Alexander Lukashenko", "Kassym-Jomart Tokayev"]
    assert voice_of("What happened to prices, according to Lukashenko?", names) == names[0]
    assert voice_of("What does Lukashenko think about Tokayev?", names) == names[0]
    assert voice_of("In Tokayev's view, who organised it?", names) == names[1]
    # named, but not asked to be quoted: others may report what he did
    assert voice_of("What did Tokayev request?", names) is None
    # by the last word of their role
    roles = {"Nikol Pashinyan": "Prime Minister of Armenia"}
    assert voice_of("What did the Prime Minister of Armenia say?", ["Nikol Pashinyan"], roles)
    # "according to" and a speaker named by role only
    assert voice_of("What happens next, according to its UN envoy?", ["Magzhan Ilyassov"])


def test_context_terms_set_the_time_only():
    assert context_terms("What happened to hospitals during the unrest?") == ["unrest"]
    assert context_terms("What happened to hospitals?") == []


def test_attribute_and_counted_terms():
    assert attribute_terms("What is the capital of Armenia?") == (["capital"], ["armenia"])
    assert attribute_terms("What did Putin say about Syria?") == ([], [])
    # whose post, said with a possessive; "What was Tokayev's request?" asks no X of Y
    assert attribute_terms("Who was Kazakhstan's prime minister during the unrest?") == (
        ["prime", "minister"], ["kazakhstan"])  # fmt: skip
    assert attribute_terms("What was Tokayev's request?") == ([], [])
    # no short noun phrase before "of": not an "X of Y" question
    assert attribute_terms("What was declared when criminals took control of Almaty?") == ([], [])
    assert counted_terms("How much money did Russia spend on the airlift?") == ["money"]
    assert counted_terms("How many Taliban members were killed?") == ["taliban", "members"]
    assert counted_terms("How much did the mission cost?") == []


def test_kind_words_of_a_keyword_query():
    from qa.query import kind_words

    assert kind_words("kazakhstan death toll") == {"toll"}
    assert kind_words("kazakhstan un envoy name") == {"name"}
    assert question_type("kazakhstan un envoy name") == "who"
    assert kind_words("What was the death toll among the peacekeepers?") == set()


def test_british_and_american_spellings_meet():
    assert stem("stabilize") == stem("stabilise") and stem("organization") == stem("organisation")
    assert stem("armored") == stem("armoured") and stem("honor") == stem("honour")
    assert stem("center") == stem("centre") == stem("centres")
    assert stem("traveled") == stem("travelled") and stem("program") == stem("programme")
    assert stem("dialog") == stem("dialogue") and stem("defense") == stem("defence")
    # words that only look alike stay apart
    assert stem("hour") != stem("hor") and stem("four") == "four" and stem("called") == "call"


def test_common_synonyms_meet():
    assert stem("finished") == stem("completed") and stem("soldiers") == stem("troops")
    assert stem("ambassador") == stem("representatives") and stem("help") == stem("assistance")
    assert stem("began") == stem("started") and stem("wounded") == stem("injuries")
    assert synonym("soldiers") == "troop" and synonym("troops") is None
    # a word with another sense stays itself: "end" (a noun too), "demonstrated" (showed)
    assert stem("end") != stem("completed") and stem("aide") != stem("aided")
    assert stem("demonstrators") == stem("protests") != stem("demonstrated")
    assert literal_stem("finished") == "finish" and literal_stem("completed") == "complet"


def test_casual_dates_and_numbers():
    # "6th" is one word, the day "6", not "6" and a rare word "th"
    assert content_terms("what did zas send on jan 6th") == ["zas", "send", "january", "6"]
    assert content_terms("What did Jan Egeland say?") == ["jan", "egeland"]  # a name
    assert stem("1,300") == stem("1300") and stem("13th") == "13"


def test_contractions_are_the_words_they_shorten():
    assert content_terms("what didn't lukashenko want?") == ["lukashenko", "want"]
    assert content_terms("what won’t kazakhstan tolerate?") == ["kazakhstan", "tolerate"]
    assert content_terms("who won the vote") == ["won", "vote"]


def test_a_chat_requests_opening_is_not_searched():
    from qa.query import strip_request

    assert strip_request("info on the withdrawal") == "the withdrawal"
    assert strip_request("can you summarise what rahmon said") == "what rahmon said"
    assert strip_request("I want to know who commanded them") == "who commanded them"
    # a topic word stays: "information support" is what Putin spoke of
    assert strip_request("information support") == "information support"
    assert strip_request("list") == "list"


def test_the_irregular_verb_table_is_what_a_maintained_lemmatiser_says():
    """qa/lang/verb_forms.txt is kept as data (lemminflect costs ~0.5 s to load in every new
    process); each of its forms must be one lemminflect gives for its verb."""
    from lemminflect import getLemma

    from qa import lang

    table = lang.table("verb_forms.txt")
    assert len(table) > 100
    wrong = {f: b for f, b in table.items() if b not in getLemma(f, upos="VERB")}
    assert not wrong, wrong


def test_word_data_files_read_words_tables_and_skip_comments():
    from qa import lang

    stop = lang.word_set("stopwords.txt")
    assert {"the", "which", "besides"} <= stop and not any(w.startswith("#") for w in stop)
    syn = lang.table("synonyms.txt")
    assert syn["soldiers"] == "troop" and "covid" not in syn
    assert all(p.pattern and r for p, r in lang.rewrites("spellings.tsv"))
