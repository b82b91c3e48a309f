"""Consolidation of validated returns and the published Relazione."""
