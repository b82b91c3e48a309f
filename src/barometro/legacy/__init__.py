"""Import of reports in the legacy layout (the published tables) into a plan."""
