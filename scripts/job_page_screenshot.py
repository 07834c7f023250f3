"""Screenshot a local job's page (the one `mlops job show --web` opens) in headless Chromium.

Usage: python scripts/job_page_screenshot.py JOB OUT.png [NODE]

With NODE, only that node's details are shown beside the graph (headless Chromium draws a
blank picture of a page scrolled to an anchor). Made the
picture of the sample pipeline in docs/getting_started_local.md:

    mlops job create -f pipelines/train.yml -n sample_train
    python scripts/job_page_screenshot.py sample_train docs/images/job_page.png evaluate_model
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from mlops.jobpage.headless import load
from mlops.jobpage.web import write_page


def main(argv: list[str]) -> int:
    """Write the screenshot; a palette PNG keeps it small enough to commit."""
    from PIL import Image

    if len(argv) not in {2, 3}:
        sys.stderr.write(__doc__ or "")
        return 2
    job, out = argv[0], Path(argv[1])
    page = write_page(job)
    with tempfile.TemporaryDirectory() as scratch:
        if len(argv) == 3:
            only = f'section.node-details:not([data-node="{argv[2]}"]){{display:none}}'
            html = page.read_text().replace("</style>", f"{only}</style>", 1)
            page = Path(scratch) / "page.html"
            page.write_text(html)
        loaded = load(page, width=1280, height=820)
    image = Image.open(io.BytesIO(loaded.screenshot)).convert("RGB")
    out.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=64).save(out, optimize=True)
    sys.stderr.write(f"{out}: {out.stat().st_size // 1024} KiB\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
