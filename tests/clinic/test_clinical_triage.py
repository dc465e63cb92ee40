"""The runner view's triage in a clinician's words (urgency, leading condition with likelihood and
score, look-alikes considered, warning signs found); the runner's own pages keep the plain words."""

from __future__ import annotations

from heelcoach.knowledge import load_catalogue
from heelcoach.services import intake
from heelcoach.services.assess import assess, triage_to_dict
from heelcoach.web.clinical_triage import clinical_triage
from tests.clinic.clinic_world import World, _login
from tests.web.answers import RED_FLAG, TYPICAL


def test_a_typical_runner_reads_precisely() -> None:
    catalogue = load_catalogue()
    view = clinical_triage(triage_to_dict(assess(TYPICAL, catalogue)), catalogue)
    assert view.headline == (
        "Self-management appropriate; leading: Plantar fasciitis, most likely (score 8.0); "
        f"no warning sign ({len(catalogue.triage.red_flags)} red flags screened, questionnaire version 3)."
    )
    assert view.warning_signs == []
    names = [c.name for c in view.differential]
    assert names[0] == "Plantar fasciitis"
    assert "Heel bone fracture (usually a stress fracture)" in names
    assert len(names) >= 6  # every look-alike considered, not just the top few
    assert view.differential[0].supporting, "the answers for the leading condition"


def test_warning_signs_lead_the_headline() -> None:
    catalogue = load_catalogue()
    view = clinical_triage(triage_to_dict(assess(RED_FLAG, catalogue)), catalogue)
    assert view.headline.startswith(
        "Urgent: same-day medical assessment; 4 warning signs (1 emergency, 3 refer): "
        "Cannot stand on the foot after an injury; Pain after a fall or injury;"
    )
    assert "leading: Heel bone fracture (usually a stress fracture), possible (score 3.5)." in view.headline
    first = view.warning_signs[0]
    assert (first.level, first.action) == ("emergency", "stop loading, refer")
    assert first.suggests == "Heel bone fracture (usually a stress fracture)"


def test_the_clinician_sees_the_clinical_words_and_the_runner_the_plain_ones(world: World) -> None:
    pid = world.people["runner"]
    intake.save_intake(world.ctx, pid, RED_FLAG)
    staff = _login(world.app, world.users["clinician"]).get(f"/clinic/people/{pid}").text
    assert "Urgent: same-day medical assessment; 4 warning signs" in staff
    assert "Differential (look-alikes considered)" in staff
    assert "Get urgent care today" not in staff  # the runner's headline
    own = _login(world.app, world.users["runner"]).get(f"/clinic/people/{pid}").text
    assert "Get urgent care today" in own
    assert "Urgent: same-day medical assessment" not in own
