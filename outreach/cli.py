"""The `outreach` console command: the project's commands plus Django's management commands.

`outreach import-signals ...` runs the management command `import_signals`; dashes and
underscores are interchangeable, so `outreach migrate` works as `manage.py migrate` does.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.SECRET_KEY  # noqa: B018 (loads the settings)
    except ImproperlyConfigured as problem:
        # A setting that cannot work (production without SECRET_KEY) stops every command,
        # with its reason alone instead of a traceback.
        sys.exit(f"outreach: {problem}")

    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "outreach"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
