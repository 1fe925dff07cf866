from outreach.intake.management.commands._source_command import SourceCommand
from outreach.intake.source_files import load_register


class Command(SourceCommand):
    help = "Load the local copy of the population register, BRP (replaces the previous copy)."
    load = staticmethod(load_register)
