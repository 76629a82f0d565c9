"""Small helpers shared by the routers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator

from dudao.orgs.access import access_region
from dudao.orgs.models import Region

M = TypeVar("M", bound=Model)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Far beyond any list here, and small enough that the offset it makes fits the database's integer.
MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    """``?page=1&page_size=50`` (at most 500); the answer is ``{"items": [...], "count": total}``. A page
    past ``MAX_PAGE`` is 400 (its offset would overflow the database's integer: ADR 0021)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)  # more than MAX_PAGE_SIZE gives MAX_PAGE_SIZE

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


def county_for(request: HttpRequest, code: str) -> Region:
    """A county the user may see, through ``access_region`` (404 otherwise, and for a code that is
    no county: a town or a city is not "a county with this code")."""
    region = access_region(request_user(request), code)
    if region.level != Region.Level.COUNTY:
        raise Http404
    return region


def within_region(queryset: QuerySet[M], county_path: str, code: str | None) -> QuerySet[M]:
    """Narrow a list to a region (county, city or province) and everything below it; ``county_path``
    is the lookup to the rows' county path. The list already holds only what the user may see, so an
    unknown or invisible code simply narrows it to nothing: it reveals nothing and never widens."""
    if not code:
        return queryset
    region = Region.objects.filter(code=code).only("path").first()
    if region is None:
        return queryset.none()
    return queryset.filter(**{f"{county_path}__startswith": region.path})


def request_user(request: HttpRequest) -> User:
    """The authenticated user (from the token or the session)."""
    return request.auth  # type: ignore[attr-defined]  # django-ninja sets it on the request after authenticating


def local_time(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


# Times are given in the site's zone (Asia/Shanghai), with their offset: "2025-09-01T08:00:00+08:00".
LocalDateTime = Annotated[datetime, AfterValidator(local_time)]

try:  # django-ninja >= 1.5
    from ninja.responses import Status
except ImportError:  # pragma: no cover - older ninja takes a (status, body) tuple

    def Status(status_code: int, value: Any) -> Any:  # type: ignore[no-redef]  # the fallback of the import above
        return (status_code, value)
