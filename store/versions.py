"""What a statement reads beside its rows, so that a cache in the process knows it is current.

A dialog turn used to read the claimant's organisations and their newest claims again at
every step. Instead its first statement, which it makes anyway, carries a version of each
(scalar subqueries, built here): the organisations' source hashes, which ``org apply``
changes, and the claimant's claims' stamp, which every save changes. The repositories
keep what they parsed in the process under those versions (``SqlOrganisations.known``,
``SqlClaims.stamped``) and read again only what has changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func, select

from store import tables as t
from store.joined import joined


def organisation_versions(source: Any, slug: Any, where: Any) -> Any:
    """A scalar subquery: ``slug=source_hash,…`` of the organisations in ``source``.

    ``source`` joins some table to ``organisations`` on ``slug``; the text is what
    ``SqlOrganisations.known`` takes, read with a statement the caller makes anyway.
    """
    orgs = t.organisations.c
    return select(joined(slug + "=" + orgs.source_hash, ",")).select_from(
        source).where(where).scalar_subquery()


def claims_stamp(claimant_id: Any) -> Any:
    """A scalar subquery: ``count:sum(version)`` of the claimant's claims (``newest_lines``)."""
    c = t.claims.c
    return select(cast(func.count(), String) + ":" + cast(
        func.coalesce(func.sum(c.version), 0), String)).where(
        c.claimant_id == claimant_id).scalar_subquery()
