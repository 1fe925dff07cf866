from outreach.intake.management.commands._source_command import SourceCommand
from outreach.intake.source_files import load_clients


class Command(SourceCommand):
    help = "Load the current clients of municipal debt help (replaces the previous list)."
    load = staticmethod(load_clients)
