"""The Celery app, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")

app = Celery("citymgmt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _ensure_filesystem_broker_folders(sender: Celery, **kwargs: object) -> None:
    # The filesystem transport does not create its folders; the embedded default must just work.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
    backend = str(sender.conf.result_backend or "")
    if backend.startswith("file://"):
        os.makedirs(backend.removeprefix("file://"), exist_ok=True)


@signals.setup_logging.connect
def _keep_django_logging(**kwargs: object) -> None:
    # Connected, so the worker keeps Django's LOGGING (request/task ids, JSON in production)
    # instead of replacing the root handlers with its own format.
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
