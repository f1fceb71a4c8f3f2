"""Test settings: the real settings with a fast hasher and jobs run immediately."""

import os

os.environ.setdefault("KAIMEN_ENV", "test")

from kaimen.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; prod is argon2
HUEY.immediate = True  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# The demo's story as written: the first quarter of 2025, told on 20 April 2025 (a test that
# loads the demo as of another day sets KAIMEN_DEMO_TODAY for a `kaimen demo` it runs).
KAIMEN_DEMO_TODAY = os.environ.get("KAIMEN_DEMO_TODAY") or "2025-04-20"
