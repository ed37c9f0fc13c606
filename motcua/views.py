"""Project-level pages: the health check."""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
HEALTH_KEY = "healthz"


def _cache_state() -> str:
    """ "ok" when the shared cache (Redis) answers, "degraded" when it does not: the application
    keeps working without it (versioned reference data is rebuilt from the database, throttles
    count per process), so this is reported, never a failure of the check."""
    try:
        cache.get(HEALTH_KEY)
    except Exception:  # any backend error: connection refused, timeout, …
        logger.warning("Bộ nhớ đệm dùng chung không trả lời.", exc_info=True)
        return "degraded"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers (503 otherwise), for load balancers and monitoring; the body
    also says whether the shared cache answers. Two cheap round trips: ``SELECT 1`` and one
    cache read."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse(
            {"status": "error", "database": "unreachable", "cache": _cache_state()}, status=503
        )
    state = _cache_state()
    return JsonResponse({"status": "ok" if state == "ok" else "degraded", "database": "ok", "cache": state})
