"""Missing and absent episodes (built by the episodes issue on top of children and deadlines)."""
