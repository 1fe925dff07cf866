"""Trying a contact sequence before it reaches anyone: generated households, a response model,
and the real intake, weighing and cadence engine on a moving clock."""
