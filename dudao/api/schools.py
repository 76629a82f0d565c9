"""Schools: ``GET /schools`` (the ones you may see, as they were in a school year) and ``GET /schools/{code}``."""

# No `from __future__ import annotations`: ninja reads these annotations at runtime to build its models.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dudao.api.common import Pages, request_user, within_region
from dudao.api.errors import READ
from dudao.orgs.access import access_school, visible_schools
from dudao.orgs.models import SchoolYear

router = Router()


class SchoolYearOut(Schema):
    year: int
    name: str
    school_type: str
    location: str
    ownership: str
    town: str | None
    town_name: str | None
    status: str
    merged_into: str | None

    @staticmethod
    def resolve_town(obj: SchoolYear) -> str | None:
        return obj.town.code if obj.town else None

    @staticmethod
    def resolve_town_name(obj: SchoolYear) -> str | None:
        return obj.town.name if obj.town else None

    @staticmethod
    def resolve_merged_into(obj: SchoolYear) -> str | None:
        return obj.merged_into.code if obj.merged_into else None


class SchoolOut(SchoolYearOut):
    """A school with its attributes in the year asked for."""

    code: str
    county: str
    county_name: str

    @staticmethod
    def resolve_code(obj: SchoolYear) -> str:
        return obj.school.code

    @staticmethod
    def resolve_county(obj: SchoolYear) -> str:
        return obj.school.county.code

    @staticmethod
    def resolve_county_name(obj: SchoolYear) -> str:
        return obj.school.county.name


class SchoolDetailOut(Schema):
    code: str
    county: str
    county_name: str
    years: list[SchoolYearOut]


@router.get(
    "", response={200: list[SchoolOut], **READ}, summary="学校列表 / schools you may see, with that year's attributes"
)
@paginate(Pages)
def list_schools(request: HttpRequest, year: int, county: str | None = None) -> QuerySet[SchoolYear]:
    """Every school you may see that existed in ``year``; ``county`` (a county, city or province code)
    narrows the list to that region."""
    rows = SchoolYear.objects.filter(year=year, school__in=visible_schools(request_user(request)))
    rows = within_region(rows, "school__county__path", county)
    return rows.select_related("school", "school__county", "town", "merged_into").order_by("school__code")


@router.get(
    "/{code}", response={200: SchoolDetailOut, **READ}, summary="学校详情 / one school and its attributes by year"
)
def get_school(request: HttpRequest, code: str) -> dict[str, Any]:
    # A dict that ninja validates against SchoolDetailOut, as the list does: SchoolYearOut.model_validate
    # outside ninja's response path lost the resolved town of a school in a town (a 500, found by the fuzz).
    school = access_school(request_user(request), code)
    years = list(school.years.select_related("town", "merged_into").order_by("year"))
    return {"code": school.code, "county": school.county.code, "county_name": school.county.name, "years": years}
