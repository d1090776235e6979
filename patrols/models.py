# Models arrive with their issue; the app is wired now so settings, URLs and Celery see it.
