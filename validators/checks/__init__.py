"""One small check per module; each yields findings and never raises on bad data."""
