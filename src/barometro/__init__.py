"""Barometro: the Relazione sulla Performance in the spreadsheets staff already use."""

__version__ = "0.1.0"
