"""The OpenAPI 3.1 documents of the two HTTP APIs, served at ``/v1/openapi.json`` on each listener.

They are written by hand as the contract carriers and operators integrate against; a test keeps
them and the routes in step and validates real responses against their schemas.
"""

from __future__ import annotations

from importlib.resources import files


def openapi_document(api: str) -> bytes:
    """``carrier`` or ``operator``: the JSON document as served."""
    return files(__package__).joinpath(f"{api}.json").read_bytes()
