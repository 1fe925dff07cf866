"""Celery tasks of the simulation: a supervisor's simulation, on the slow queue."""

from celery import shared_task

from outreach.simulation.runs import execute


@shared_task(name="outreach.simulation.tasks.run_simulation", ignore_result=True)
def run_simulation(run_id: int) -> str:
    """Run the queued simulation `run_id` (outreach.simulation.runs.execute); its status."""
    return execute(run_id)
