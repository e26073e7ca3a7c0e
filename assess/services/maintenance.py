"""Daily housekeeping: the steps ``assess maintenance purge`` runs, kept as a registry.

Each step deletes or pseudonymises what has outlived its retention period and returns how many
things it dealt with. A feature adds its own step where its data lives::

    from assess.services import maintenance

    @maintenance.purge_step("individual answers of closed workshop sessions")
    def purge_workshop_answers(now: datetime) -> int:
        cutoff = maintenance.workshop_answer_cutoff(now)
        ...  # delete individual answers of sessions closed before cutoff (keep the consensus),
        ...  # audit.pseudonymise_external(...) each participant's display name, commit
        return count

The module defining a step must be imported when the app is created (a service that a blueprint
imports is). Steps run in the order they were registered, each committing its own work, so a
failing step leaves the earlier ones done; the command reports it and exits non-zero.

Run it once a day from cron, e.g. ``17 3 * * * /srv/assess/.venv/bin/assess maintenance purge``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app

from assess import db

#: A purge step: given the time the purge runs at, does its work and returns a count.
PurgeStep = Callable[[datetime], int]

_steps: dict[str, PurgeStep] = {}


def purge_step(name: str) -> Callable[[PurgeStep], PurgeStep]:
    """Register the decorated function as the purge step ``name`` (its description)."""

    def register(step: PurgeStep) -> PurgeStep:
        _steps[name] = step
        return step

    return register


def steps() -> dict[str, PurgeStep]:
    """The registered steps, in order, by name."""
    return dict(_steps)


def workshop_answer_cutoff(now: datetime) -> datetime:
    """Individual answers of workshop sessions closed before this are purged (consensus is
    kept): ``WORKSHOP_ANSWER_RETENTION_DAYS`` before ``now``."""
    return now - timedelta(days=current_app.config["WORKSHOP_ANSWER_RETENTION_DAYS"])


def purge(now: datetime | None = None) -> dict[str, int]:
    """Run every step; returns the count of each, by name."""
    moment = now or db.utcnow()
    return {name: step(moment) for name, step in _steps.items()}


@purge_step("rate-limit counts whose window has ended")
def purge_rate_limit_counts(now: datetime) -> int:
    """Forget counters of the database rate-limit storage that no longer count."""
    from assess import limit_storage

    return limit_storage.purge_expired(db.engine(), now.timestamp())
