"""In a real Chromium at phone width, the clinician's runner view fits the screen: the differential
(long "for" and "against" texts) reads as one labelled block per condition instead of a table whose
columns are cut off, and no other table on the page hides columns either."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest

from tests.clinic.test_clinic_browser import Clinic, _login, clinic  # noqa: F401 - the fixture
from tests.web.browser import DESKTOP, PHONE, chromium, shots_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HIDDEN = "() => [...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth)"


def test_the_runner_view_fits_a_phone(clinic: Clinic, tmp_path: Path) -> None:  # noqa: F811
    out = shots_dir(tmp_path)
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        _login(page, clinic.url, clinic.pt.email, pyotp.TOTP(clinic.pt.totp_secret or "").now())
        page.wait_for_url("**/clinic")
        page.goto(f"{clinic.url}/clinic/people/{clinic.bob}")
        for width, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(out / f"runner-view-{width}.png"), full_page=True)
            hidden = page.evaluate(HIDDEN)
            assert max(hidden, default=0) <= 1, f"a table hides columns at {width} width ({hidden}px)"
            sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert sideways <= 1, f"the runner view scrolls sideways at {width} width by {sideways}px"
        page.set_viewport_size(PHONE)
        label = page.evaluate(
            "() => getComputedStyle(document.querySelector('table.differential td[data-label=For]'),"
            " '::before').content"
        )
        assert label == '"For: "', label
        page.close()
