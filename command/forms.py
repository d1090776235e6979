"""The form that turns a hotspot into a governance task."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import ReferForm


class GovernanceForm(ReferForm):
    """The referral of a governance task: which hotspot (cell and category, from the list),
    what is to be done about its cause, to which unit, by whom and by when."""

    grid_cell = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    category = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    description = forms.CharField(
        label=_("What is to be done about the cause"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A new ticket: there is no state it could have moved on from.
        del self.fields["expected_state"]
        self.order_fields(["description", "unit", "person", "deadline", "note"])
