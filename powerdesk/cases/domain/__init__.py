"""Pure case rules (catalogue, SLA clock, lookup, Open311 shapes): no Django, tested without a database."""
