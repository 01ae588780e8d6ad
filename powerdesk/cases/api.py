"""Staff and partner API of counter cases (registered at /api/v1/cases)."""

from ninja import Router

router = Router(tags=["cases"])
