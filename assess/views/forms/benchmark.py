"""The peer benchmark's forms: an organisation's participation, the operator's refresh."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField


class ParticipationForm(FlaskForm):
    """Whether the organisation's figures count in the peer benchmark."""

    take_part = BooleanField(
        _("Take part in the peer benchmark"),
        description=_(
            "Your latest finalised assessment counts in the figures of your sector and of your "
            "size band, and your results show where you stand against them. Untick to keep your "
            "figures out: they leave every figure shown at once, and your results no longer "
            "show the benchmark."
        ),
    )


class RefreshForm(FlaskForm):
    """The operator's button to make the benchmark's releases now rather than at the next daily
    maintenance."""
