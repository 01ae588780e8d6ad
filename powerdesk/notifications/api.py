"""Staff API of the notification outbox (registered at /api/v1/notifications)."""

from ninja import Router

router = Router(tags=["notifications"])
