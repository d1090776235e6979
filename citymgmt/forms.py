"""Form helpers every app's pages share: Bootstrap styling, and a service's errors on a form."""

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


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (a field the form lacks: the form),
    so the page re-renders with the user's input and the message beside it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
