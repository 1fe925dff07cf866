"""Data: the jargon and threat words of each language (<lang>.toml, see ../terms.py). A package
only so that the "*.toml" package data of pyproject.toml takes these files along."""
