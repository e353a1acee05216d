"""Getting cases in: date and country parsing, mapped imports, drafts from appeal texts."""
