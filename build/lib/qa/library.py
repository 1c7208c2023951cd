"""The seeds folder as a user manages it: add transcripts, remove them, never lose one.

Adding copies a file in under a safe name: its own base name (no folders, so no path
traversal), unsafe characters replaced, and never over an existing file: "talk.vtt" becomes
"talk (2).vtt". A file over the size limit, or of a type no reader takes, is refused with the
reason. Removing moves the file into `seeds/.removed/` (which indexing skips, like every
hidden folder), from where it can be put back by hand; nothing is deleted.

Deliberately left out: indexing (the caller rebuilds after a change) and reading the files.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from qa.errors import SeedError
from qa.formats import EXTENSIONS

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
REMOVED = ".removed"


@dataclass
class Added:
    original: str  # the name the user gave
    saved_as: str | None  # the name in the seeds folder, None when refused
    reason: str = ""  # why it was refused, or why it was renamed


def safe_name(name: str) -> str:
    """A file name that is one plain name: no folders, no leading dot, no odd characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^\w .()+,=@-]", "_", base).strip(" .")
    return base or "transcript.txt"


def add(seeds_dir: Path, files: list[tuple[str, Path]], *,
        max_bytes: int = MAX_UPLOAD_BYTES) -> list[Added]:  # fmt: skip
    """Copy (name, path) pairs into the seeds folder; one `Added` per file, in order."""
    seeds_dir = Path(seeds_dir)
    seeds_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for original, path in files:
        name = safe_name(original)
        size = Path(path).stat().st_size
        ext = Path(name).suffix.lower()
        if size > max_bytes:
            out.append(Added(original, None, f"{size / 2**20:.1f} MB is over the "
                                              f"{max_bytes / 2**20:.0f} MB limit"))  # fmt: skip
            continue
        if size == 0:
            out.append(Added(original, None, "the file is empty"))
            continue
        if ext and ext not in EXTENSIONS:
            kinds = ", ".join(sorted(EXTENSIONS))
            out.append(
                Added(original, None, f"{ext} is not a transcript format qa reads ({kinds})")
            )
            continue
        target = _free(seeds_dir / name)
        shutil.copyfile(path, target)
        note = f"renamed: {name} exists" if target.name != name else ""
        out.append(Added(original, target.name, note))
    return out


def remove(seeds_dir: Path, source: str) -> Path:
    """Move one indexed file out of the seeds folder into `.removed/`; returns where it went."""
    seeds_dir = Path(seeds_dir).resolve()
    path = (seeds_dir / source).resolve()
    if seeds_dir not in path.parents or not path.is_file():
        raise SeedError(f"no transcript named {source!r} in {seeds_dir}")
    target = _free(seeds_dir / REMOVED / path.relative_to(seeds_dir))
    target.parent.mkdir(parents=True, exist_ok=True)
    path.replace(target)
    return target


def _free(path: Path) -> Path:
    """`path`, or "name (2).ext", "name (3).ext", ... if it is taken."""
    if not path.exists():
        return path
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
    return path.with_name(f"{path.stem} ({int(time.time())}){path.suffix}")
