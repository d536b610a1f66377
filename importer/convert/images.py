"""Image URLs and alt text: the original behind a page builder's transform URL, and whether an
old alt text describes anything or is a file or camera name."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp", "avif", "bmp", "tif", "tiff", "svg")
_EXT = "|".join(IMAGE_EXTENSIONS)
# Wix: /media/<id>~mv2.jpg/v1/fill/w_147,h_98,al_c,q_20,blur_2/<id>~mv2.jpg is a resized,
# often blurred copy; the path cut after the first file name is the original upload.
_TRANSFORM = re.compile(rf"^(/media/[^/]+\.(?:{_EXT}))/v\d+/.*$", re.I)
_FILE_NAME = re.compile(rf"\.(?:{_EXT})$", re.I)
# Names cameras, phones and editors give files: IMG_20240611_093012, DSC0012, PXL_2024…,
# image7, photo-3, Screenshot 2024-06-11, 1718097012345.
_CAMERA_NAME = re.compile(
    r"^(?:img|dsc[nf]?|dcim|pxl|mvimg|gopr|dji|p|pic|image|photo|picture|screenshot|"
    r"screen shot|untitled|file|wp|whatsapp image)?[\s_-]*[\d\s_.:-]*(?:\(\d+\))?$",
    re.I,
)


def original_image_url(url: str) -> str:
    """The original upload's URL for a page builder transform URL; other URLs unchanged."""
    parts = urlsplit(url)
    match = _TRANSFORM.match(parts.path)
    if not match:
        return url
    return urlunsplit((parts.scheme, parts.netloc, match.group(1), "", ""))


def file_stem(url: str) -> str:
    name = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])
    return name.rpartition(".")[0] or name


def alt_problem(alt: str, src: str) -> str | None:
    """Why ``alt`` cannot be used as alt text for the image at ``src``, or None if it can."""
    text = " ".join(alt.split())
    if not text:
        return "has no alt text"
    if _FILE_NAME.search(text) or text.lower() == file_stem(src).lower():
        return f"has a file name as alt text ({text!r})"
    if _CAMERA_NAME.match(text):
        return f"has a camera or file name as alt text ({text!r})"
    return None
