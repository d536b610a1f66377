from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms.api import api_router
from pages.images import serve_public_media
from pages.search import search
from pages.views import robots_txt

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("search/", search, name="search"),
    path("", include("pageviews.urls")),  # the view-count beacon, /api/v2/pages/<id>/view/
    path("api/v2/", api_router.urls),
]

# Uploads under MEDIA_URL when Django serves them (make run, tests, no web server in front):
# image renditions only, never originals or documents (see pages.images and README, Deploying).
urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_public_media)]
if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# Wagtail's page serving is a catch-all, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]

handler404 = "pages.views.page_not_found"
handler500 = "pages.views.server_error"
