"""Old site HTML -> title, date, body blocks, images and view counts. Pure Python: no Django.

page, links = convert_page(html, "https://old.example/post/ims")
"""

from .extract import NotHTML, convert_page, parse_date, slug_for
from .images import alt_problem, original_image_url
from .model import Block, ConvertedPage, ImageRef, Kind, Skipped

__all__ = [
    "Block",
    "ConvertedPage",
    "ImageRef",
    "Kind",
    "NotHTML",
    "Skipped",
    "alt_problem",
    "convert_page",
    "original_image_url",
    "parse_date",
    "slug_for",
]
