"""In a real Chromium: a clinician caps a miles runner's weekly running in miles through the form;
the plan stores km (converted once) and the runner reads the cap in miles on Plan. Screenshots of
the runner view at phone and desktop widths."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest

from heelcoach.config import Settings
from heelcoach.domain.units import KM_PER_MILE, DistanceUnit
from heelcoach.services import accounts, intake, planning
from heelcoach.services.context import AppContext
from heelcoach.services.units import save_unit
from tests.clinic.clinic_world import PASSWORD
from tests.clinic.test_clinic_browser import _login
from tests.web.answers import TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir
from tests.web.test_units_sweep import KM_WORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[tuple[AppContext, str, accounts.AddedUser, int]]:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None, clinic=True))
    pt = accounts.add_user(ctx, "pt@example.org", "clinician", "Northside", PASSWORD)
    ann = accounts.add_user(ctx, "ann@example.org", "runner", "Northside", PASSWORD)
    assert ann.person_id is not None
    intake.save_intake(ctx, ann.person_id, TYPICAL)
    planning.make_plan(ctx, ann.person_id, start=date.today() - timedelta(days=3))
    save_unit(ctx, ann.person_id, DistanceUnit.MI)
    with serve(create_app(ctx)) as url:
        yield ctx, url, pt, ann.person_id
    ctx.close()


def test_a_cap_typed_in_miles_in_the_browser(clinic: Any, tmp_path: Path) -> None:
    ctx, url, pt, pid = clinic
    out = shots_dir(tmp_path / "shots")
    with chromium() as browser:
        page = browser.new_page(viewport=DESKTOP)
        _login(page, url, pt.email, pyotp.TOTP(pt.totp_secret).now())
        page.wait_for_url(url + "/clinic")
        page.goto(f"{url}/clinic/people/{pid}")
        assert "Weekly running cap, miles" in page.inner_text("label[for=weekly_cap]")
        page.select_option("#kind", "run_cap")
        page.fill("#weekly_cap", "6.5")
        page.fill("#reason", "Keep it short until the visit.")
        page.click("#plan button[type=submit]")
        page.wait_for_url(f"{url}/clinic/people/{pid}#plan")
        _record, plan = planning.current_plan(ctx, pid)
        assert plan.run.weekly_km_cap == pytest.approx(6.5 * KM_PER_MILE, abs=0.001)
        assert "now 6.5 mi" in page.inner_text("label[for=weekly_cap]")
        main = page.inner_text("main")
        found = KM_WORD.search(main)
        assert not found, main[max(0, found.start() - 300) : found.end() + 100]
        for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(out / f"clinic-runner-cap-miles-{name}.png"), full_page=True)
        page.context.clear_cookies()
        _login(page, url, "ann@example.org")
        page.goto(url + "/plan")
        assert "capped running at 6.5 mi a week" in page.inner_text("main")
