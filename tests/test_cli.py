"""The `qa` command, run as a user would: in a subprocess, checking output and exit codes."""

import json
import os
import subprocess
import sys

import pytest
from conftest import DATA, ROOT


def qa(*args, cwd=ROOT, env=None):
    full_env = {**os.environ, "QA_INDEX_DIR": "", "QA_SEEDS_DIR": "", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_help_is_instant_and_lists_commands():
    out = qa("--help")
    assert out.returncode == 0
    for cmd in ("index", "ask", "eval"):
        assert cmd in out.stdout


def test_ask_json(seed_index):
    out = qa(
        "ask", "Who commanded the CSTO peacekeeping force?", "--json", "--index", str(seed_index)
    )
    assert out.returncode == 0, out.stderr
    a = json.loads(out.stdout)
    assert a["found"] and "Serdyukov" in a["answer"]
    assert a["citations"][0]["speaker"] == "Stanislav Zas"


def test_ask_text_marks_the_answering_sentence(seed_index):
    out = qa("ask", "How many flights did Russian planes make?", "--index", str(seed_index))
    assert out.returncode == 0, out.stderr
    flat = " ".join(out.stdout.split())  # the passage is wrapped to the terminal width
    assert ">>Over four days, Russian Aerospace Forces planes made over 108 flights.<<" in flat
    assert "[1] Stanislav Zas (Secretary General" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", "   ", "--index", "{tmp}/idx"], "the question is empty"),
        (["ask", "hi", "--index", "{tmp}/none", "--seeds", "{tmp}/none"], "no index at"),
        (["index", "--seeds", "{tmp}/none", "--index", "{tmp}/idx"], "seeds folder not found"),
        (["index", "--seeds", "{tmp}/empty", "--index", "{tmp}/idx"], "no readable transcripts"),
        (["eval", "--qa-file", "{tmp}/none.jsonl"], "question file not found"),
    ],
)
def test_bad_input_gets_a_message_not_a_traceback(tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    out = qa(*[a.format(tmp=tmp_path) for a in args])
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_eval_joins_several_question_files(seed_index, tmp_path):
    one = '{"id": "%s", "question": "Who commanded the force?", "answers": ["Serdyukov"]}\n'
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.jsonl").write_text(one % name)
    files = [str(tmp_path / f"{n}.jsonl") for n in ("a", "b", "c")]
    out = qa("eval", "--index", str(seed_index), "--qa-file", *files[:2], "--qa-file", files[2])
    assert out.returncode == 0, out.stderr
    assert "3 questions" in out.stdout


def test_index_reports_changes_and_skipped_files(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(
        "Meeting\nMay 1, 2024\n\nANNA BERG: The plan passed.\nTOM LI: Good, the vote was 7 to 2.\n"
    )
    (seeds / "bad.txt").write_bytes(b"\xff\xfe\xfa not utf8")
    index = tmp_path / "index"
    out = qa("index", "--seeds", str(seeds), "--index", str(index))
    assert out.returncode == 0, out.stderr
    assert "skipped" in out.stdout and "bad.txt: not UTF-8" in out.stdout
    assert "added    a.txt" in out.stdout
    again = qa("index", "--seeds", str(seeds), "--index", str(index))
    assert "is up to date" in again.stdout


def test_empty_question_is_refused_before_building_an_index(tmp_path):
    out = qa("ask", "  ", "--index", str(tmp_path / "index"), "--seeds", str(ROOT / "seeds"))
    assert out.returncode == 2 and "the question is empty" in out.stderr
    assert not (tmp_path / "index").exists()


def test_inspect_names_format_speakers_and_first_turns():
    files = [DATA / "formats" / n for n in ("captions.vtt", "hearing.pdf", "press_q.txt")]
    out = qa("inspect", *map(str, files))
    assert out.returncode == 0, out.stderr
    assert "format:   vtt" in out.stdout and "format:   pdf" in out.stdout
    assert "Carla Mendes" in out.stdout and "[0:01]" in out.stdout  # a turn's time
    assert "[p. 1]" in out.stdout  # a turn's page
    assert "Brandt" in out.stdout and "warning" not in out.stdout


def test_inspect_an_unreadable_file_says_why_without_a_traceback(tmp_path):
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}')
    out = qa("inspect", str(bad), str(tmp_path / "missing.txt"))
    assert out.returncode == 2
    assert "notes.json: cannot be read" in out.stderr and "missing.txt: not found" in out.stderr
    assert "Traceback" not in out.stderr


def test_index_warns_about_a_transcript_without_speakers(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "notes.txt").write_text("The committee discussed the budget at length. " * 60)
    (seeds / "talk.txt").write_text(
        "Meeting\nMay 1, 2024\n\nANNA BERG: The plan passed.\nTOM LI: Good, the vote was 7 to 2.\n"
    )
    out = qa("index", "--seeds", str(seeds), "--index", str(tmp_path / "index"))
    assert out.returncode == 0, out.stderr
    assert "warning:" in out.stdout and "notes.txt: no speaker found" in out.stdout
    assert "talk.txt: " not in out.stdout.split("warning:")[1]


def test_ask_piped_into_head_ends_quietly(seed_index):
    cmd = (f"{sys.executable} -m qa.cli ask 'Who commanded the CSTO peacekeeping force?' "
           f"--index {seed_index} | head -1")  # fmt: skip
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0 and "Traceback" not in out.stderr and out.stdout.strip()


def test_serve_help_lists_its_options():
    out = qa("serve", "-h")
    assert out.returncode == 0
    for option in ("--host", "--port", "--seeds", "--index"):
        assert option in out.stdout


def test_index_reports_progress_in_a_log_and_names_the_folder(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(
        "ANNA BERG: The plan passed.\nTOM LI: Good, the vote was 7 to 2.\n"
    )
    out = qa("index", "--seeds", str(seeds), "--index", str(tmp_path / "idx"))  # not a terminal
    assert out.returncode == 0, out.stderr
    assert "embedded 2 of 2 passages" in out.stderr
    assert f"index at {tmp_path / 'idx'}:" in out.stdout and "index index" not in out.stdout


def test_ask_rebuilds_an_index_left_by_an_older_qa(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(
        "Meeting\nMay 1, 2024\n\nANNA BERG: The plan passed.\nTOM LI: Good, the vote was 7 to 2.\n"
    )
    index = tmp_path / "index"
    assert qa("index", "--seeds", str(seeds), "--index", str(index)).returncode == 0
    manifest = index / (index / "CURRENT").read_text().strip() / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": 3}))
    refused = qa("ask", "What was the vote?", "--index", str(index), "--seeds",
                 str(tmp_path / "none"))  # no seeds to rebuild from  # fmt: skip
    assert refused.returncode != 0 and "older qa" in refused.stderr
    assert "Traceback" not in refused.stderr
    out = qa("ask", "What was the vote?", "--index", str(index), "--seeds", str(seeds))
    assert out.returncode == 0, out.stderr
    assert "is of an older qa; building it" in out.stderr and "7 to 2" in out.stdout
