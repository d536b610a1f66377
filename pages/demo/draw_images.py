"""Draws the demo photos with Pillow (run once; the JPEGs are committed): no downloads needed.

python -m pages.demo.draw_images
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).parent / "images"


def forearm_ims(path: Path) -> None:
    """A forearm resting on a treatment couch with fine filament needles in the muscle."""
    width, height = 1600, 1000
    img = Image.new("RGB", (width, height), (214, 226, 230))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 620, width, height], fill=(40, 92, 110))  # couch
    draw.rectangle([0, 600, width, 640], fill=(235, 238, 236))  # paper roll
    # Forearm: a tapered band from elbow (left) to wrist (right).
    arm = [(120, 430), (1180, 470), (1260, 520), (1180, 600), (120, 640)]
    draw.polygon(arm, fill=(224, 172, 140))
    draw.ellipse([1150, 440, 1420, 620], fill=(219, 166, 134))  # hand
    for x in range(1300, 1480, 38):
        draw.rounded_rectangle([x, 500, x + 30, 640], radius=14, fill=(214, 160, 128))
    shade = Image.new("L", (width, height), 0)
    ImageDraw.Draw(shade).polygon([(120, 560), (1180, 560), (1180, 600), (120, 640)], fill=90)
    img.paste((190, 140, 112), mask=shade.filter(ImageFilter.GaussianBlur(18)))
    # Needles: thin steel shafts with small handles, at slight angles, in the belly of the muscle.
    for x, tilt in [(420, -18), (560, 10), (700, -6), (840, 14)]:
        draw.line([(x, 500), (x + tilt, 300)], fill=(170, 176, 184), width=3)
        draw.rectangle([x + tilt - 7, 260, x + tilt + 7, 302], fill=(60, 140, 200))
    # Gloved hand of the physiotherapist palpating near the needles.
    draw.ellipse([960, 330, 1140, 470], fill=(120, 170, 220))
    draw.rounded_rectangle([880, 380, 1000, 430], radius=20, fill=(112, 162, 214))
    random.seed(7)
    noise = Image.effect_noise((width, height), 12).convert("RGB")
    img = Image.blend(img, noise, 0.06).filter(ImageFilter.GaussianBlur(1.2))
    img.save(path, "JPEG", quality=84, optimize=True, progressive=True)


def clinic_room(path: Path) -> None:
    """A calm treatment room: couch, window and plant; used as a decorative banner."""
    width, height = 1600, 900
    img = Image.new("RGB", (width, height), (238, 233, 224))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 640, width, height], fill=(176, 150, 120))
    draw.rectangle([980, 120, 1440, 520], fill=(196, 222, 236), outline=(250, 250, 250), width=14)
    draw.line([(1210, 120), (1210, 520)], fill=(250, 250, 250), width=10)
    draw.rounded_rectangle([180, 470, 900, 560], radius=24, fill=(40, 92, 110))
    for x in (220, 840):
        draw.rectangle([x, 560, x + 30, 720], fill=(90, 90, 96))
    draw.ellipse([1480, 500, 1580, 600], fill=(160, 96, 70))
    for angle in range(0, 180, 20):
        draw.line([(1530, 520), (1530 + angle - 90, 380)], fill=(70, 130, 80), width=8)
    img.filter(ImageFilter.GaussianBlur(1.5)).save(path, "JPEG", quality=82, optimize=True)


def shoulder_exercise(path: Path) -> None:
    """A resistance band anchored at a wall bar, as used in shoulder rehabilitation."""
    width, height = 1600, 1000
    img = Image.new("RGB", (width, height), (226, 232, 222))
    draw = ImageDraw.Draw(img)
    draw.rectangle([1300, 0, 1360, height], fill=(150, 110, 80))
    for y in range(80, height, 120):
        draw.rectangle([1240, y, 1420, y + 20], fill=(170, 128, 94))
    draw.line([(1300, 420), (520, 520)], fill=(220, 60, 70), width=14)
    draw.ellipse([380, 430, 560, 610], fill=(224, 172, 140))
    draw.rectangle([0, 820, width, height], fill=(120, 120, 126))
    img.filter(ImageFilter.GaussianBlur(1.0)).save(path, "JPEG", quality=82, optimize=True)


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    forearm_ims(OUT / "ims-forearm-treatment.jpg")
    clinic_room(OUT / "treatment-room.jpg")
    shoulder_exercise(OUT / "shoulder-band-exercise.jpg")
