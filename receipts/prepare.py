"""Making a phone photo of a receipt look like a scan before OCR.

Grayscale (colour only costs time), upscaling when the text is small (OCR
models read text some 20–40 pixels high best), downscaling huge scans (a
5000-pixel-wide scan costs seconds and reads no better), contrast stretched
(thermal paper fades), and deskewed: a receipt photographed a few degrees off
puts every row's amount on the next row's line.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

Gray = NDArray[np.uint8]
SMALLEST_WIDTH = 700  # narrower photos are upscaled: their text is too small to read
LARGEST_WIDTH = 1000  # wider ones are shrunk: more pixels only cost time
LARGEST_SIDE = 2000
MOST_SKEW = 30.0  # degrees; beyond this the photo is of something else, leave it be


def grayscale(image: Image.Image) -> Gray:
    """The image upright (EXIF orientation applied) as 8-bit gray."""
    upright = ImageOps.exif_transpose(image) or image
    return np.asarray(upright.convert("L"), dtype=np.uint8)


def rescale(gray: Gray) -> Gray:
    """Upscale small text, downscale huge scans."""
    height, width = gray.shape
    factor = 1.0
    if width < SMALLEST_WIDTH:
        factor = min(SMALLEST_WIDTH / width, 3.0)
    elif width > LARGEST_WIDTH:
        factor = LARGEST_WIDTH / width
    if max(height, width) * factor > LARGEST_SIDE:
        factor = LARGEST_SIDE / max(height, width)
    if abs(factor - 1.0) < 0.05:
        return gray
    how = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return np.asarray(cv2.resize(gray, None, fx=factor, fy=factor, interpolation=how),
                      dtype=np.uint8)


def stretch_contrast(gray: Gray) -> Gray:
    """Darkest 1 % to black, lightest 1 % to white: faded thermal print stands out."""
    low, high = np.percentile(gray, (1, 99))
    if high - low < 10:
        return gray
    scaled = (gray.astype(np.float32) - low) * (255.0 / (high - low))
    return np.asarray(np.clip(scaled, 0, 255), dtype=np.uint8)


def skew_angle(gray: Gray) -> float:
    """The text rows' angle in degrees (positive: counter-clockwise), from row-shaped blobs."""
    small = gray
    if gray.shape[1] > 800:
        small = np.asarray(cv2.resize(gray, None, fx=800 / gray.shape[1],
                                      fy=800 / gray.shape[1], interpolation=cv2.INTER_AREA),
                           dtype=np.uint8)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    rows = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 3)))
    contours, _ = cv2.findContours(rows, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles: list[float] = []
    for contour in contours:
        (_, _), (width, height), angle = cv2.minAreaRect(contour)
        if width < height:
            width, height, angle = height, width, angle - 90
        if width > 60 and width > 4 * height:
            angles.append((float(angle) + 45) % 90 - 45)  # OpenCV's convention varies
    if len(angles) < 3:
        return 0.0
    return float(np.median(angles))


def deskew(gray: Gray) -> Gray:
    """The image rotated so that its text rows are level."""
    angle = skew_angle(gray)
    if abs(angle) < 0.5 or abs(angle) > MOST_SKEW:
        return gray
    height, width = gray.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    new_width, new_height = int(height * sin + width * cos), int(height * cos + width * sin)
    turn[0, 2] += new_width / 2 - width / 2
    turn[1, 2] += new_height / 2 - height / 2
    return np.asarray(cv2.warpAffine(gray, turn, (new_width, new_height), flags=cv2.INTER_LINEAR,
                                     borderValue=255), dtype=np.uint8)


def prepare(image: Image.Image) -> Gray:
    """Every step, in the order that keeps each one cheap."""
    return deskew(stretch_contrast(rescale(grayscale(image))))


def binarise(gray: Gray) -> Gray:
    """Black ink on white, each pixel against its neighbourhood (a second look at a scan).

    Thresholding locally drops what a gray image keeps: faint smudges, a pen stroke
    through a printed digit, uneven fading; it also loses faint print. So it is a
    different reading of the same receipt, not a better one.
    """
    return np.asarray(cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                            cv2.THRESH_BINARY, 31, 15), dtype=np.uint8)
