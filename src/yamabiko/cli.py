def main() -> None:
    import os
    import sys

    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yamabiko.settings")
    execute_from_command_line(["yamabiko", *sys.argv[2:]])
