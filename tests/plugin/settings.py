"""Kaimen's test settings plus one throwaway app, registered through the seams only."""

from kaimen.settings_test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.plugin.throwaway.apps.ThrowawayConfig"]  # noqa: F405
