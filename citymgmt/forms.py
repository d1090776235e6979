"""Form helpers every app's pages share: Bootstrap styling, costly checks last, and a service's
errors on a form."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

NOTE_WIDGET = forms.Textarea(attrs={"rows": 3})


def style_widgets(form: forms.BaseForm, *, small: bool = False) -> None:
    """Bootstrap classes on every widget, so templates can render ``{{ field }}``."""
    suffix = " form-select-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
            continue
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.Select):
            css = "form-select" + suffix
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class CostlyField(forms.Field):
    """A field whose cleaning has a cheap part (``clean``) and a costly one (``finish``, e.g.
    decoding a photo), which ``StyledForm`` runs only once everything else on the form is valid:
    a post refused anyway costs only the cheap checks."""

    def finish(self, value: Any) -> Any:
        return value


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or self._errors or not hasattr(self, "cleaned_data"):
            return
        for name, field in self.fields.items():
            if isinstance(field, CostlyField) and name in self.cleaned_data:
                try:
                    self.cleaned_data[name] = field.finish(self.cleaned_data[name])
                except ValidationError as error:
                    self.add_error(name, error)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (a field the form lacks: the form),
    so the page re-renders with the user's input and the message beside it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
