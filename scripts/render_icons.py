"""Render the app icon (heelcoach/web/static/icon.svg) to the PNG icons the web app manifest lists.

Phones install a web app only with PNG icons of 192 and 512 pixels; "maskable" is the same drawing
on a full square (the phone cuts its own shape; the figure sits inside the safe circle). Run once
after changing icon.svg:  python scripts/render_icons.py   (Debian Chromium through Playwright)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parents[1] / "heelcoach" / "web" / "static"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
#: file name -> (size in pixels, whether the rounded corners are squared off for a maskable icon)
ICONS = {"icon-192.png": (192, False), "icon-512.png": (512, False), "icon-maskable-512.png": (512, True)}


def main() -> None:
    """Write every icon next to icon.svg."""
    svg = (STATIC / "icon.svg").read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        for name, (size, square) in ICONS.items():
            drawing = re.sub(r'rx="\d+"', 'rx="0"', svg) if square else svg
            sized = drawing.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(
                "<html><body style='margin:0;background:transparent'>"
                f"<div style='width:{size}px;height:{size}px'>{sized}</div></body></html>"
            )
            page.locator("div").screenshot(path=str(STATIC / name), omit_background=True)
            page.close()
            sys.stdout.write(f"wrote {STATIC / name}\n")
        browser.close()


if __name__ == "__main__":
    main()
