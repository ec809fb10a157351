"""Build the receipt evaluation sets that live outside the repository, from pinned commits.

    .venv/bin/python -m bench.receipt_sets --mirrors /work/.mirror [--out-root /work]
    .venv/bin/python -m bench.receipt_sets --git-dir wildreceipt=PATH ... [--only NAME]

Why: ``bench/receipt_bench.py`` reads five sets (six with MC-OCR) kept outside the
repository (their licences, or their size, keep them out of it). Every new machine lost
them, and each time a helper rebuilt them by hand from prose; the hand-built sets drifted
(WildReceipt gave 337, 336, 345, 355, 350 and 351 receipts across rebuilds, so its figures
were not comparable from one section of bench/README.md to the next). This module is the
one recipe: given local git directories of the source repositories (clones, or the
mirrors the ``fetch`` tool makes), it writes every set at the bench's default path (under
``--out-root``) from the pinned commits below, byte for byte the same on every run, and
prints each set's file count and a SHA-256 over its sorted file names and contents
(``SOURCE.md`` aside). It never writes inside the repository; no data is committed.

A set is written to a fresh folder beside its target and then put in its place, so a
half-built set is never left where the bench looks. Each set folder gets a ``SOURCE.md``
naming the repository, the commit and the rules below. The sets and their rules:

``sroie-full`` -> ``sroie-full/data`` (``KVITT_SROIE_FULL``): SROIE 2019's 626 training
receipts as corrected in zzzDavid/ICDAR-2019-SROIE (MIT), ``data/img/NNN.jpg`` and
``data/key/NNN.json`` copied unchanged. The bench drops the shared 63 by SHA-256 and
splits the rest (sroie-new-dev 188, sroie-new-held 373).

``sroie-test`` -> ``sroie-full/test`` (``KVITT_SROIE_TEST``): SROIE's official test
receipts with the keys released after the contest, from althayr/ICDAR-2019-SROIE-dataset
(``testing_data/images/NNN.jpg`` and ``testing_data/labels/NNN.json``), written unchanged
as ``img/NNN.jpg`` and ``key/NNN.json``. 347 in the repository; an image the git
directory lacks (a mirror leaves out files of 4 MiB and more: 336.jpg) is left out and
named, together with its key.

``wildreceipt`` -> ``receipts-unseen/wildreceipt`` (``KVITT_WILDRECEIPT``): WildReceipt's
official test split (Sun et al. 2021, MMOCR; Apache-2.0 with the MMOCR data), the copy in
jenashauryasikt/SD_internship, ``wildreceipt/test.txt`` (472 receipts, one JSON line
each, box labels numbered as in ``class_list.txt``). The mapping, which earlier builds
redid each time in slightly different ways:

- the total is the text of the ``Total_value`` boxes, the date that of the ``Date_value``
  boxes; every other class (``Total_key``, ``Subtotal_value``, ...) is ignored;
- a total box is read as an amount when its text is an optional label or currency (any
  non-digits: ``$``, ``Rs``, ``AU$``, ``Total``), one number, and optionally a currency
  after it (a symbol or three capitals: ``EUR``); ``(3.13)`` and ``108.85-`` are negative
  (refunds, as keyed). A box with more after the number (``7.020.44piece(s)``,
  ``12BALDUE``) or no digit (``TOTAL``) is ignored. In the number, when both ``.`` and
  ``,`` occur the last one is the decimal mark; a lone ``,`` before exactly three digits
  groups thousands (``134,999``, ``48,000``), otherwise it is a decimal comma (``4,70``);
  a lone ``.`` is always a decimal point (``197.285``, a dinar's fils). The total is
  the amount the readable boxes agree on; a receipt whose boxes read different amounts
  (``354.00`` and ``504.00``) or none is left out;
- each date box is read alone (a date split over two boxes, ``NOVEMBER`` + ``13,2010``,
  is not joined): day, month and a two- or four-digit year, numbers separated by ``/``,
  ``.`` or ``-`` (``06/08-2013``), year first when it has four digits (``2016/05/04``),
  or with the month's name or abbreviation in English, French, Spanish, German, Dutch or
  Italian, before or after the day (``27Dec´16``, ``Jul19'14``, ``Jun 26, 15``,
  ``jeudi23juin2016``, ``18AVR2014``), ``0ct`` being ``Oct``. A two-digit year is 19yy
  from 31 on (``17JUL89``), 20yy below. Words, weekdays and a time glued on after
  (``4/4/20127:33AM``) are passed over. A box without day, month and year (``20:37``,
  ``Jun15``, ``04/11``, ``DECEMBER2016``) is no date;
- a numeric date whose first two numbers are both 1-12 and differ (``05/02/18``) has two
  readings, both kept: month first before day first when the separator is ``/`` or
  ``-``, day first before month first when it is ``.``. The readings kept are those
  every readable date box allows (``08/02/10`` and ``8/02/2010`` agree); boxes that allow
  no common reading (``NOV/25/2016`` and ``DIC/21/2016``) leave the receipt out, as does
  no readable box;
- receipts with both a total and a date are written, in the order of ``test.txt``, as
  ``img/NNN.jpg`` (the image's bytes unchanged; the source names end ``.jpeg``) and
  ``key/NNN.json`` (``total``, ``date_iso_candidates``, and the ``source`` name and the
  printed text, for tracing), NNN counting from 000.

  This gives 351 receipts (7 December 2026), as the last hand build did, but the bench's
  ``_part`` splits them 118 dev / 233 held where that build's split 114 / 237: its rules
  were not recorded, and including or leaving out a single receipt moves every later
  group's position mod 3, so the two builds differ in some receipts.

  WildReceipt's train split cannot be built from this source (looked at 7 December 2026):
  the commit names ``wildreceipt/train.txt`` and ``wildreceipt_train.txt`` and holds
  1,297 images ``test.txt`` does not name, but a ``fetch`` mirror lacks both train files
  (it leaves out files of 4 MiB and more), and no other public copy of the train
  annotations was found. The images alone carry no truth.

``softmatic`` -> ``receipts-unseen2/softmatic-de`` (``KVITT_SOFTMATIC``): the 48 German
flatbed scans of softmatic/vision-data (``2D/Receipts/{A,B,C}``; CC-BY-4.0, Softmatic
GmbH). The truth is the file name's, ``$MERCHANT_$DDMMYYYY[_$ITEMS]_$CENTS.jpg``: the
total is the last part in cents, the date the second part day first (one reading). Written
under their own names as ``img/<name>.jpg`` and ``key/<name>.json``.

``expressexpense`` -> ``receipts-unseen3/expressexpense_srd_dp``
(``KVITT_EXPRESSEXPENSE``): ExpressExpense's free "SRD" receipt photos with the hand-typed
keys of a master's thesis, both from cambormiroslav/DP
(``dataset/large-receipt-image-dataset-SRD/NNNN-receipt.jpg``,
``data_for_control/dataset_correct_data.json``). No licence file: evaluation only, never
committed. Of the 103 keyed images, a byte-identical later copy (1041 of 1034) is left
out; the other 102 are written in the order of their names as ``img/NNN.jpg`` and
``key/NNN.json`` from 000, with the date read by WildReceipt's rules (US receipts, so
``5/3/19`` gives 3 May first and 5 March second); seven keys give no date (no date
keyed, or ``ov-15-06-N``) and are written with no readings, which the bench leaves out
(95 remain).

``mcocr`` -> ``receipts-unseen2/mcocr2021`` (``KVITT_MCOCR``): MC-OCR 2021's labelled
training split (Vietnamese phone photos; research use only, never committed), the copy in
johnPa02/ocr_receipts (``data/train_images/*.jpg``, labels in ``data/mcocr_train_df.csv``:
per image its boxes' texts and labels joined by ``|||``). Rules:

- the date is read from the ``TIMESTAMP`` boxes, day first only (``Ngày: 11/08/2020``,
  ``02.10.2020``, ``11-08-2020``; a four-digit year first is year-month-day), boxes
  agreeing as on WildReceipt;
- the total is from the ``TOTAL_COST`` boxes (the label's words are boxed with it): the
  amounts in them read as whole dong, ``.`` or ``,`` before three digits grouping
  thousands (``74,000``, ``111.000đ``, ``748,600.00``), and amounts under 1,000 dong are
  no total (a count of items, ``3``); the amounts found must all be one;
- a receipt with both is written under its own name as ``img/<name>.jpg`` and
  ``key/<name>.json``; the others are left out.

  This gives 883 of 1,155 (7 December 2026). Earlier hand builds kept 369 and then 432,
  by rules not recorded; 433 of the 883 print their total with a comma (``74,000``), so
  the 432 may have read only that form.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a set comes from and where the bench expects it (under ``--out-root``)."""

    repo: str
    commit: str
    target: str
    licence: str


SOURCES: dict[str, Source] = {
    "sroie-full": Source("zzzDavid/ICDAR-2019-SROIE",
                         "27be4271b251c256f695acbade9a801bffe85994",
                         "sroie-full/data", "MIT (the repository's LICENSE)"),
    "sroie-test": Source("althayr/ICDAR-2019-SROIE-dataset",
                         "5c0bf03da29523a7c027c0d53b87c3640f280243",
                         "sroie-full/test", "SROIE 2019 competition data; evaluation only"),
    "wildreceipt": Source("jenashauryasikt/SD_internship",
                          "5ba211ec23f54e6694e776a50da071e633e64577",
                          "receipts-unseen/wildreceipt",
                          "WildReceipt (MMOCR, Apache-2.0); evaluation only"),
    "softmatic": Source("softmatic/vision-data", "9062febd225986dc567777015f11d3db3a363086",
                        "receipts-unseen2/softmatic-de", "CC-BY-4.0, Softmatic GmbH"),
    "expressexpense": Source("cambormiroslav/DP", "f12df5a3f2d7b54f7fa4b569e7d4b62613bb9763",
                             "receipts-unseen3/expressexpense_srd_dp",
                             "no licence file: evaluation only, never committed"),
    "mcocr": Source("johnPa02/ocr_receipts", "e9e791aff0c00a9eac298bd6f8db82615a9492e2",
                    "receipts-unseen2/mcocr2021",
                    "MC-OCR 2021: research use only, never committed"),
}


class Git:
    """Read-only access to one commit of a local git directory (a clone or a bare mirror)."""

    def __init__(self, git_dir: Path, commit: str) -> None:
        self.git_dir, self.commit = git_dir, commit
        self._run("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")

    def _run(self, *args: str) -> bytes:
        done = subprocess.run(["git", "--git-dir", str(self.git_dir), *args],
                              capture_output=True, check=False)
        if done.returncode:
            raise RuntimeError(f"git {' '.join(args)} in {self.git_dir}: "
                               f"{done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def files(self, under: str) -> dict[str, str]:
        """Every file's path under the folder ``under`` at the commit, and its blob id."""
        out = self._run("ls-tree", "-r", "-z", self.commit, "--", under.rstrip("/") + "/")
        found = {}
        for entry in out.split(b"\0"):
            if entry:
                meta, path = entry.decode().split("\t", 1)
                found[path] = meta.split()[2]
        return found

    def blob(self, blob_id: str) -> bytes | None:
        """The blob's bytes, or None when this git directory lacks it (a mirror's big file)."""
        done = subprocess.run(["git", "--git-dir", str(self.git_dir), "cat-file", "blob",
                               blob_id], capture_output=True, check=False)
        return done.stdout if done.returncode == 0 else None

    def show(self, path: str) -> bytes:
        return self._run("show", f"{self.commit}:{path}")


# ---------------------------------------------------------------- amounts and dates

_AMOUNT = re.compile(r"\(?[^\d()\-]*?(-)?\s*(\d[\d.,]*)\s*(?:[€$£]|[A-Z]{3})?\s*(-)?\s*\)?")


def amount(text: str) -> Decimal | None:
    """The one amount a total box's text holds (label and currency passed over), or None."""
    text = text.strip()
    match = _AMOUNT.fullmatch(text)
    if not match:
        return None
    value = _number(match.group(2))
    if value is None:
        return None
    negative = bool(match.group(1) or match.group(3)) or (
        text.startswith("(") and text.endswith(")"))
    return -value if negative else value


def _number(written: str) -> Decimal | None:
    """``1,455.20``, ``4,70``, ``134,999``, ``105.`` as a Decimal; None if not a number."""
    written = written.strip(".,")
    marks = [i for i, c in enumerate(written) if c in ".,"]
    try:
        if not marks:
            return Decimal(written)
        last = marks[-1]
        whole, tail, mark = written[:last], written[last + 1:], written[last]
        earlier = {written[i] for i in marks[:-1]}
        if mark in earlier or (mark == "," and not earlier and len(tail) == 3):
            groups = re.split(r"[.,]", written)  # all of them thousands
            if len(earlier) > 1 or any(len(g) != 3 for g in groups[1:]):
                return None
            return Decimal("".join(groups))
        if earlier:  # 64,279.70: the earlier marks group thousands
            groups = re.split(r"[.,]", whole)
            if any(len(g) != 3 for g in groups[1:]):
                return None
            return Decimal("".join(groups) + "." + tail)
        return Decimal(whole + "." + tail)
    except InvalidOperation:
        return None


_MONTHS = {
    1: "jan january janv janvier ene enero januar gen gennaio",
    2: "feb february fev fevr fevrier févr février febrero februar febbraio",
    3: "mar march mars marzo mär märz maerz mrt maart",
    4: "apr april avr avril abr abril aprile",
    5: "may mai mei mag maggio mayo",
    6: "jun june juin junio juni giu giugno",
    7: "jul july juil juillet julio juli lug luglio",
    8: "aug august aout août ago agosto augustus",
    9: "sep sept september septembre septiembre set settembre",
    10: "oct 0ct october octobre octubre okt oktober ott ottobre",
    11: "nov november novembre noviembre",
    12: "dec december decembre décembre dic diciembre dez dezember dicembre",
}
_MONTH = {word: number for number, words in _MONTHS.items() for word in words.split()}
# longest first, so that "june" is not read as "jun" + "e"
_NAME = "|".join(sorted(_MONTH, key=lambda w: (-len(w), w)))
# a four-digit year may have a time glued on (20127:33AM), a two-digit one no digit
_YEAR = r"(\d{4}(?=\d{1,2}:|\D|$)|\d{2}(?!\d))"
_ISO = re.compile(r"(?<!\d)(\d{4})[./-](\d{1,2})[./-](\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})([./-])(\d{1,2})[./-]" + _YEAR)
_DAY_NAME = re.compile(r"(?<!\d)(\d{1,2})[\s./'-]*(" + _NAME + r")[a-z]*\.?[\s./'´,-]*"
                       + _YEAR)
_NAME_DAY = re.compile(r"(" + _NAME + r")[a-z]*\.?[\s./-]*(\d{1,2})(?:st|nd|rd|th)?"
                       r"([\s./'´,]*)" + _YEAR)


def _year(written: str) -> int:
    year = int(written)
    if len(written) == 2:
        year += 1900 if year > 30 else 2000
    return year


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_readings(text: str) -> list[date]:
    """The readings of a printed date (two for an ambiguous ``05/02/18``); [] if none."""
    text = text.lower()
    if match := _ISO.search(text):
        found = _day(int(match[1]), int(match[2]), int(match[3]))
        return [found] if found else []
    if match := _NUMERIC.search(text):
        first, mark, second, year = int(match[1]), match[2], int(match[3]), _year(match[4])
        month_first = _day(year, first, second)
        day_first = _day(year, second, first)
        ordered = [day_first, month_first] if mark == "." else [month_first, day_first]
        return list(dict.fromkeys(d for d in ordered if d))
    if match := _DAY_NAME.search(text):
        found = _day(_year(match[3]), _MONTH[match[2]], int(match[1]))
        return [found] if found else []
    for match in _NAME_DAY.finditer(text):
        if match[3] or len(match[4]) == 4:  # DECEMBER2016 is no day 20 of 2016
            found = _day(_year(match[4]), _MONTH[match[1]], int(match[2]))
            return [found] if found else []
    return []


def agreed_dates(boxes: list[str]) -> list[date]:
    """The readings every readable date box allows, in the first readable box's order."""
    readable = [r for r in (date_readings(box) for box in boxes) if r]
    if not readable:
        return []
    return [d for d in readable[0] if all(d in other for other in readable[1:])]


def agreed_total(boxes: list[str]) -> Decimal | None:
    """The one amount the readable total boxes agree on; None when none or several."""
    found = {value for value in (amount(box) for box in boxes) if value is not None}
    return found.pop() if len(found) == 1 else None


# ---------------------------------------------------------------- the sets


@dataclass(frozen=True, slots=True)
class Built:
    """What a builder wrote: files by relative path, and lines for SOURCE.md and the log."""

    files: dict[str, bytes]
    notes: list[str]


def _key(content: dict[str, object]) -> bytes:
    return (json.dumps(content, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _copy(git: Git, image_dir: str, key_dir: str, notes: list[str]) -> dict[str, bytes]:
    """Images and keys copied unchanged; a pair whose blob is absent is left out."""
    files: dict[str, bytes] = {}
    keys = git.files(key_dir)
    for image_path, blob_id in sorted(git.files(image_dir).items()):
        stem = Path(image_path).stem
        key_path = f"{key_dir}/{stem}.json"
        if not image_path.endswith(".jpg"):
            continue
        if key_path not in keys:
            notes.append(f"{image_path}: no key; left out")
            continue
        data = git.blob(blob_id)
        if data is None:
            notes.append(f"{image_path}: not in this git directory (too big for the "
                         "mirror?); left out with its key")
            continue
        key = git.blob(keys[key_path])
        assert key is not None, key_path
        files[f"img/{stem}.jpg"] = data
        files[f"key/{stem}.json"] = key
    return files


def build_sroie_full(git: Git) -> Built:
    notes: list[str] = []
    return Built(_copy(git, "data/img", "data/key", notes), notes)


def build_sroie_test(git: Git) -> Built:
    notes: list[str] = []
    return Built(_copy(git, "testing_data/images", "testing_data/labels", notes), notes)


def build_wildreceipt(git: Git) -> Built:
    classes = git.show("wildreceipt/class_list.txt").decode().split()
    total_class, date_class = classes.index("Total_value"), classes.index("Date_value")
    images = git.files("wildreceipt/image_files")
    files: dict[str, bytes] = {}
    notes: list[str] = []
    lines = git.show("wildreceipt/test.txt").decode().splitlines()
    for line in lines:
        receipt = json.loads(line)
        boxes = receipt["annotations"]
        totals = [b["text"] for b in boxes if b["label"] == total_class]
        dates = [b["text"] for b in boxes if b["label"] == date_class]
        if not totals or not dates:
            continue
        total, days = agreed_total(totals), agreed_dates(dates)
        if total is None or not days:
            notes.append(f"{receipt['file_name']}: left out, total {totals} date {dates}")
            continue
        blob_id = images.get(f"wildreceipt/{receipt['file_name']}")
        data = git.blob(blob_id) if blob_id else None
        if data is None:
            notes.append(f"{receipt['file_name']}: image not in this git directory; left out")
            continue
        name = f"{len(files) // 2:03d}"
        files[f"img/{name}.jpg"] = data
        files[f"key/{name}.json"] = _key({
            "total": str(total), "date_iso_candidates": [d.isoformat() for d in days],
            "source": receipt["file_name"], "total_printed": totals, "date_printed": dates})
    notes.insert(0, f"{len(lines)} receipts in test.txt; {len(files) // 2} written with a "
                 "total and a date (the others have no total or no date box)")
    return Built(files, notes)


_SOFTMATIC_NAME = re.compile(r"[a-z]+_(\d{2})(\d{2})(\d{4})(?:_\d+)?_(\d+)(?:_B)?")


def build_softmatic(git: Git) -> Built:
    files: dict[str, bytes] = {}
    notes: list[str] = []
    for path, blob_id in sorted(git.files("2D/Receipts").items()):
        stem = Path(path).stem
        if not path.endswith(".jpg"):
            continue
        match = _SOFTMATIC_NAME.fullmatch(stem)
        data = git.blob(blob_id)
        if not match or data is None:
            notes.append(f"{path}: {'name unread' if not match else 'absent'}; left out")
            continue
        day, month, year, cents = match.groups()
        files[f"img/{stem}.jpg"] = data
        files[f"key/{stem}.json"] = _key({
            "total": str(Decimal(int(cents)).scaleb(-2)),
            "date_iso_candidates": [date(int(year), int(month), int(day)).isoformat()],
            "source": path})
    return Built(files, notes)


def build_expressexpense(git: Git) -> Built:
    keys = json.loads(git.show("data_for_control/dataset_correct_data.json"),
                      parse_float=Decimal)
    images = git.files("dataset/large-receipt-image-dataset-SRD")
    files: dict[str, bytes] = {}
    notes: list[str] = []
    seen: dict[str, str] = {}
    for source in sorted(keys):
        blob_id = images.get(f"dataset/large-receipt-image-dataset-SRD/{source}")
        if blob_id is None:
            notes.append(f"{source}: keyed, no image; left out")
            continue
        if blob_id in seen:  # a blob id is the content's hash: a byte-identical copy
            notes.append(f"{source}: the same bytes as {seen[blob_id]}; left out")
            continue
        seen[blob_id] = source
        data = git.blob(blob_id)
        if data is None:
            notes.append(f"{source}: image not in this git directory; left out")
            continue
        key = keys[source]
        printed = key.get("date") or ""
        days = date_readings(printed)
        if not days:
            notes.append(f"{source}: no date read from {printed!r}; written without one")
        name = f"{len(files) // 2:03d}"
        files[f"img/{name}.jpg"] = data
        files[f"key/{name}.json"] = _key({
            "total": str(Decimal(str(key["total"]))),
            "date_iso_candidates": [d.isoformat() for d in days],
            "source": source, "date_printed": printed})
    return Built(files, notes)


_DONG = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})+(?:[.,]00)?|\d+)(?![\d.,]?\d)")
_DAY_FIRST = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)")


def dong(boxes: list[str]) -> Decimal | None:
    """The one whole-dong amount of at least 1,000 in ``boxes`` (``74,000``), or None."""
    found = set()
    for box in boxes:
        for match in _DONG.finditer(box):
            whole = re.sub(r"[.,]00$", "", match[1]) if re.search(r"[.,]\d{3}", match[1]) \
                else match[1]
            value = Decimal(re.sub(r"[.,]", "", whole))
            if value >= 1000:
                found.add(value)
    return found.pop() if len(found) == 1 else None


def day_first(text: str) -> list[date]:
    """A Vietnamese receipt's date, day first (``11/08/2020``); [] if none."""
    if match := _ISO.search(text):
        found = _day(int(match[1]), int(match[2]), int(match[3]))
    elif match := _DAY_FIRST.search(text):
        found = _day(int(match[3]), int(match[2]), int(match[1]))
    else:
        return []
    return [found] if found else []


def build_mcocr(git: Git) -> Built:
    rows = list(csv.DictReader(io.StringIO(git.show("data/mcocr_train_df.csv").decode())))
    images = git.files("data/train_images")
    files: dict[str, bytes] = {}
    notes: list[str] = [f"{len(rows)} labelled images in data/mcocr_train_df.csv"]
    left_out = 0
    for row in sorted(rows, key=lambda r: r["img_id"]):
        boxes = list(zip(row["anno_labels"].split("|||"), row["anno_texts"].split("|||"),
                         strict=True))
        readings = [day_first(t) for label, t in boxes if label == "TIMESTAMP"]
        readable = [r for r in readings if r]
        days = [d for d in readable[0] if all(d in r for r in readable[1:])] if readable \
            else []
        total = dong([t for label, t in boxes if label == "TOTAL_COST"])
        blob_id = images.get(f"data/train_images/{row['img_id']}")
        data = git.blob(blob_id) if blob_id else None
        if total is None or not days or data is None:
            left_out += 1
            continue
        stem = Path(row["img_id"]).stem
        files[f"img/{stem}.jpg"] = data
        files[f"key/{stem}.json"] = _key({
            "total": str(total), "date_iso_candidates": [d.isoformat() for d in days],
            "source": row["img_id"],
            "total_printed": [t for label, t in boxes if label == "TOTAL_COST"],
            "date_printed": [t for label, t in boxes if label == "TIMESTAMP"]})
    notes.append(f"{left_out} left out: no total or no date read from their labels, or "
                 "no image")
    return Built(files, notes)


BUILDERS = {"sroie-full": build_sroie_full, "sroie-test": build_sroie_test,
            "wildreceipt": build_wildreceipt, "softmatic": build_softmatic,
            "expressexpense": build_expressexpense, "mcocr": build_mcocr}


# ---------------------------------------------------------------- writing and checking


def digest(folder: Path) -> tuple[int, str]:
    """How many data files ``folder`` holds and a SHA-256 over their sorted names and contents.

    ``SOURCE.md`` is left out, so that the digest names the data, not the prose about it.
    """
    total = hashlib.sha256()
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "SOURCE.md")
    for path in paths:
        total.update(path.relative_to(folder).as_posix().encode() + b"\0")
        total.update(hashlib.sha256(path.read_bytes()).digest())
    return len(paths), total.hexdigest()


def _source_md(name: str, source: Source, built: Built) -> bytes:
    doc = (__doc__ or "").split("\n\n")
    start = next((i for i, p in enumerate(doc) if p.startswith(f"``{name}``")), len(doc))
    end = next((i for i in range(start + 1, len(doc)) if doc[i].startswith("``")), len(doc))
    rules = "\n\n".join(doc[start:end]).replace('"""', "").strip()
    lines = [f"# {name}", "", f"Built by `python -m bench.receipt_sets` (Kvitt, "
             f"bench/receipt_sets.py) from github.com/{source.repo} at commit "
             f"{source.commit}. Licence: {source.licence}. Never commit these files.", "",
             rules, "", "Notes from the build:", "", *[f"- {n}" for n in built.notes], ""]
    return "\n".join(lines).encode()


def write(folder: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a fresh folder beside ``folder``, then put it in its place."""
    fresh = folder.with_name(folder.name + ".building")
    old = folder.with_name(folder.name + ".old")
    for stale in (fresh, old):
        if stale.exists():
            shutil.rmtree(stale)
    for relative, data in sorted(files.items()):
        path = fresh / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    if old.exists():
        shutil.rmtree(old)


def _inside_repository(path: Path) -> bool:
    return path.resolve().is_relative_to(REPOSITORY)


def _mirrors(root: Path) -> Iterator[tuple[str, Path]]:
    """Set names and git directories found in a ``fetch`` mirror root (owner+name/repo)."""
    for name, source in SOURCES.items():
        git_dir = root / source.repo.replace("/", "+") / "repo"
        if git_dir.is_dir():
            yield name, git_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--git-dir", action="append", default=[], metavar="NAME=PATH",
                        help=f"a set's source git directory; NAME one of {', '.join(SOURCES)}")
    parser.add_argument("--mirrors", type=Path,
                        help="a folder of fetch mirrors (owner+name/repo) to take git dirs from")
    parser.add_argument("--out-root", type=Path, default=Path("/work"))
    parser.add_argument("--only", action="append", choices=list(SOURCES))
    args = parser.parse_args(argv)
    git_dirs = dict(_mirrors(args.mirrors)) if args.mirrors else {}
    for given in args.git_dir:
        name, _, path = given.partition("=")
        if name not in SOURCES or not path:
            parser.error(f"--git-dir {given!r}: NAME=PATH with NAME one of {', '.join(SOURCES)}")
        git_dirs[name] = Path(path)
    if _inside_repository(args.out_root):
        parser.error(f"{args.out_root} is inside the repository: the sets are never committed")
    failed = 0
    for name in args.only or list(SOURCES):
        source = SOURCES[name]
        target = args.out_root / source.target
        if name not in git_dirs:
            print(f"{name}: no git directory of {source.repo} given; skipped", file=sys.stderr)
            continue
        try:
            built = BUILDERS[name](Git(git_dirs[name], source.commit))
        except RuntimeError as error:
            print(f"{name}: {error}", file=sys.stderr)
            failed += 1
            continue
        write(target, {**built.files, "SOURCE.md": _source_md(name, source, built)})
        count, sha = digest(target)
        images = sum(1 for path in built.files if path.startswith("img/"))
        for note in built.notes:
            print(f"  {name}: {note}", file=sys.stderr)
        print(f"{name:15} {images:4} receipts {count:5} files  sha256 {sha}  {target}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
