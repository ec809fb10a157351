"""Attachment bytes in the data folder, by content hash (``attachments/ab/abcdef…``).

Content addressing makes storing the same receipt twice a no-op and lets a
database row point at a file that can never change under it. Files are written
to a temporary name and renamed, so a crash never leaves half a receipt.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class FileBlobs:
    """``BlobStore`` on a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, content_hash: str) -> Path:
        if len(content_hash) != 64 or not all(c in "0123456789abcdef" for c in content_hash):
            raise ValueError("not a SHA-256 hex digest")
        return self.folder / content_hash[:2] / content_hash

    def put(self, data: bytes) -> str:
        content_hash = hashlib.sha256(data).hexdigest()
        path = self._path(content_hash)
        if path.exists():
            return content_hash
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return content_hash

    def get(self, content_hash: str) -> bytes:
        return self._path(content_hash).read_bytes()
