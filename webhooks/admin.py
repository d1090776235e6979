from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outbox.models import Message
from webhooks import delivery, services
from webhooks.models import Endpoint, EventType, new_secret

RECENT = 20


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "district", "trusted", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Enter an http:// or https:// address."))
        return url


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """Endpoints with their signing secret, the events they receive and their recent
    deliveries; admins only (a trusted endpoint receives residents' contact details)."""

    form = EndpointForm
    list_display = ["name", "url", "event_list", "trusted", "active", "failing_since"]
    list_filter = ["active", "trusted"]
    readonly_fields = ["secret", "failing_since", "disabled_at", "disabled_reason", "deliveries"]
    actions = ["send_test", "rotate_secret"]

    def get_fieldsets(self, request: HttpRequest, obj: Endpoint | None = None):
        main = ["name", "url", "events", "district", "trusted", "active"]
        if obj is None:
            return [(None, {"fields": main})]
        return [
            (None, {"fields": [*main, "secret"]}),
            (
                _("Delivery"),
                {"fields": ["failing_since", "disabled_at", "disabled_reason", "deliveries"]},
            ),
        ]

    @admin.display(description=_("events"))
    def event_list(self, endpoint: Endpoint) -> str:
        labels = dict(EventType.choices)
        return ", ".join(str(labels.get(code, code)) for code in endpoint.events)

    @admin.display(description=_("recent deliveries"))
    def deliveries(self, endpoint: Endpoint) -> str:
        rows = Message.objects.filter(channel=delivery.CHANNEL, target=str(endpoint.pk))[:RECENT]
        log = (
            reverse("admin:outbox_message_changelist")
            + "?"
            + urlencode({"channel": delivery.CHANNEL, "target": str(endpoint.pk)})
        )
        table = format_html_join(
            "",
            "<tr><td><a href='{}'>{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>",
            (
                (
                    reverse("admin:outbox_message_change", args=[m.pk]),
                    m.pk,
                    m.kind,
                    m.get_status_display(),
                    m.response_code or "—",
                    m.attempts,
                    f"{timezone.localtime(m.created_at):%Y-%m-%d %H:%M:%S}",
                )
                for m in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>"
            "<p><a href='{}'>{}</a></p>",
            _("event"),
            _("status"),
            _("response"),
            _("attempts"),
            _("created"),
            table,
            log,
            _("All deliveries (send again from there)"),
        )

    @admin.action(description=_("Send a test event"), permissions=["change"])
    def send_test(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            services.ping(endpoint)
        self.message_user(request, _("Test events queued."), messages.SUCCESS)

    @admin.action(description=_("New signing secret"), permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        count = 0
        for endpoint in queryset:
            endpoint.secret = new_secret()
            endpoint.save(update_fields=["secret"])
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d endpoint has a new secret: give it to its receiver.",
                "%(count)d endpoints have a new secret: give it to their receivers.",
                count,
            )
            % {"count": count},
            messages.WARNING,
        )

    def save_model(self, request: HttpRequest, obj: Endpoint, form, change: bool) -> None:
        if change and "active" in form.changed_data and obj.active:
            obj.failing_since = None
            obj.disabled_at = None
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)
