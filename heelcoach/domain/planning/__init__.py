"""The plan engine, one named step per module (``heelcoach.domain.plan`` puts them together).

Read in the order a plan is built:

- ``answers``: the intake answers the plan reads; ``assess_irritability``.
- ``exercises``: ``daily_stretches`` and ``strength_work`` for the runner's drivers
  (``choose_exercises`` does both), within the phase, irritability and equipment.
- ``adjuncts``: ``symptom_relief``, optional passive tools screened against contraindications.
- ``session_fit``: ``fit_session``, each day's session within the runner's minutes.
- ``run_prescription``: ``prescribe_running``, walk/run or continuous, caps and stop rules.
- ``cross_training``, ``footwear``, ``education``, ``escalation``: the other items.
- ``referral``: red flags, stopping or continuing safely, the referral texts.
- ``rationale``: the plan's "where you are and why".
- ``model``, ``serial``, ``dose``, ``builder``, ``words``: the plan's values, storage, doses and
  days, the scratch state of a build, sentence gluing.
"""
