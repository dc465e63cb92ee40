"""heelcoach: gets runners rid of plantar heel pain for good, and helps the clinicians who treat them."""

__version__ = "0.1.0"

DISCLAIMER = (
    "heelcoach is not a diagnosis and does not replace a clinician. "
    "See a doctor, physical therapist or podiatrist if you cannot put weight on your foot, "
    "if the pain followed a fall or injury, if you have numbness, tingling, swelling, redness, "
    "fever or pain at night, or if you are not clearly better after about six weeks of exercise "
    "and lighter running."
)
