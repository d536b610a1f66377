from pages.models.images import ClinicImage, ClinicRendition
from pages.models.pages import (
    ArticleIndexPage,
    ArticlePage,
    ArticlePageTag,
    BasePage,
    HomePage,
    ServiceIndexPage,
    ServicePage,
)
from pages.models.site_settings import ClinicSettings

__all__ = [
    "ArticleIndexPage",
    "ArticlePage",
    "ArticlePageTag",
    "BasePage",
    "ClinicImage",
    "ClinicRendition",
    "ClinicSettings",
    "HomePage",
    "ServiceIndexPage",
    "ServicePage",
]
