"""The national decision hook for interactive API (DESIGN.md §6.9): who may board is the state's
decision, not paxgate's.

For an iAPI request the gateway POSTs the travellers and paxgate's own default decision (data
sufficiency only) to the configured hook and waits at most ``deadline_seconds``; the carrier's
check-in agent is waiting. The hook answers, per traveller, one of the directives ``board``,
``no_board``, ``advisory`` or ``insufficient`` with an optional text; the profile maps them to the
ERC codes the state publishes. No answer in time, an error, or an answer that cannot be read:
the configured fallback answers (``default`` = paxgate's data-sufficiency decision), and the
receipt's history says which source decided.

Request:  {"receipt", "account", "messages": [{"message", "manifest", "default": [{"position", "code", "text"}]}]}
Answer:   {"decisions": [{"message": 1, "position": 7, "directive": "no_board", "text": "CONTACT BORDER AGENCY"}]}
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Literal

import aiohttp
import msgspec
import structlog

from gateway.config import IapiConfig
from validators.paxlst.cusres import DirectiveKey

log = structlog.get_logger("paxgate.iapi")
Decisions = dict[tuple[int, int], tuple[DirectiveKey, str | None]]


class _Decision(msgspec.Struct, frozen=True):
    message: int
    position: int
    directive: Literal["board", "no_board", "advisory", "insufficient"]
    text: str | None = None


class _Answer(msgspec.Struct, frozen=True):
    decisions: list[_Decision]


class _Default(msgspec.Struct, frozen=True):
    position: int


class _Request(msgspec.Struct, frozen=True):
    message: int
    default: list[_Default]


class _Requests(msgspec.Struct, frozen=True):
    messages: list[_Request]


class DecisionHook:
    def __init__(self, config: IapiConfig, headers: dict[str, str], context: ssl.SSLContext | None) -> None:
        self.config = config
        self.headers = {"Content-Type": "application/json", **headers}
        self.context = context
        self._session: aiohttp.ClientSession | None = None

    async def decide(self, receipt: str, account: str, request: bytes) -> tuple[Decisions | None, str]:
        """The decisions and who made them: ``hook``, ``fallback`` or ``default`` (None = keep the default)."""
        if self.config.hook_url:
            try:
                async with asyncio.timeout(self.config.deadline_seconds):
                    decisions = await self._ask(receipt, account, request)
                return decisions, "hook"
            except (TimeoutError, aiohttp.ClientError, OSError, msgspec.ValidationError, msgspec.DecodeError) as error:
                log.warning("iapi_hook_failed", receipt=receipt, account=account, error=type(error).__name__)
        if self.config.fallback == "default":
            return None, "default"
        wanted = msgspec.json.decode(request, type=_Requests)
        everyone = {(m.message, d.position): (self.config.fallback, None) for m in wanted.messages for d in m.default}
        return everyone, "fallback"

    async def _ask(self, receipt: str, account: str, request: bytes) -> Decisions:
        if self._session is None:
            self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        body = b'{"receipt":' + msgspec.json.encode(receipt) + b',"account":' + msgspec.json.encode(account) + b"," + request[1:]
        async with self._session.post(self.config.hook_url, data=body, headers=self.headers, ssl=self.context or True,
                                      allow_redirects=False) as response:
            if response.status != 200:
                raise aiohttp.ClientResponseError(response.request_info, (), status=response.status)
            answer = msgspec.json.decode(await response.read(), type=_Answer)
        return {(d.message, d.position): (d.directive, d.text) for d in answer.decisions}

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
