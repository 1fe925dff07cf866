"""Demo data for `make run` and the tests: a generated population, its partner files, and a
fictional municipality with a user per role. Nothing here is needed in production; it sits on
top of the apps it feeds, so no app depends on it."""
