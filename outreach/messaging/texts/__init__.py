"""The text machinery: the catalogue of texts, their context, sandboxed rendering, letters as
PDF, and the versions communication staff edit."""
