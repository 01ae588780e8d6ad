"""Electricity tariffs: the pure tariff engine (``engine``), its versioned rate data (``data``) and golden snapshots."""
