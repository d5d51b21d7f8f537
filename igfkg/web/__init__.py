"""The web face of the graph: a static site of entity pages (issue 16, first part)."""
