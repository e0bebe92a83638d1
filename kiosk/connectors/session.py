"""The lifecycle every store client shares: an aiohttp session it may own, closed with it."""

from __future__ import annotations

from typing import Self

import aiohttp


class SessionOwner:
    """Use as an async context manager, or close(); a session passed in stays the caller's."""

    _session: aiohttp.ClientSession | None
    _own_session: bool

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None
