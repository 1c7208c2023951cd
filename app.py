"""The qa web chat: `python app.py [--host 127.0.0.1] [--port 7860] [--seeds DIR] [--index DIR]`.

Builds or updates the index on start, then serves. The wiring lives in `qa/ui.py`
(`build_app()` builds without serving, `main()` serves), so `qa serve` does the same.
"""

import sys

from qa.ui import build_app, main

__all__ = ["build_app", "main"]

if __name__ == "__main__":
    sys.exit(main())
