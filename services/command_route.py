"""A command route declared as one row: ``POST path`` runs one command and answers ``Written``.

Most write routes of the feature packages are the same handler: take the request context, the
path's ids and a msgspec body, call one command as the caller (:func:`services.written.run`)
and answer what it wrote. :func:`command_route` builds that handler from the row's parts. The
handler's parameters are declared to Litestar exactly as a hand-written one's would be (``ctx``,
one ``FromPath[UUID]`` per ``{name:uuid}`` of the path, ``data: JSONBody[body]``) and it keeps
the name it is given, so the documented operation (its parameters, body, answer and
operationId) is the one a hand-written handler had. A route that reshapes its body beyond
renaming a field stays hand-written beside the rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from inspect import Parameter, Signature
from typing import Any
from uuid import UUID

import msgspec
from litestar import post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from services.context import Ctx, RequestContext
from services.written import Written, arguments, run, written

PATH_IDS = re.compile(r"\{(\w+):uuid\}")


def command_route(
    path: str,
    command: Callable[..., tuple[Any, ...]],
    body: type[msgspec.Struct] | None,
    summary: str,
    *,
    name: str | None = None,
    given: Callable[[RequestContext, Any, dict[str, Any]], dict[str, Any]] | None = None,
    renamed: Mapping[str, str] | None = None,
    reports: str | None = None,
    echoes: tuple[str, ...] = (),
    doc: str | None = None,
    **fixed: Any,
) -> HTTPRouteHandler:
    """``POST path`` calling ``command(app, actor, **path ids, **body's arguments, **fixed)``.

    ``name`` is the handler's (and so the operationId's) name, the command's by default;
    ``given`` turns the body into the command's arguments where a field needs converting
    (called with the context, the body and the path's ids; the body's fields by default);
    ``renamed`` maps a body field to the command's parameter where the wire name differs;
    ``reports`` names the ``Written`` field that carries the command's outcome (the middle of
    ``(aggregate, outcome, position)``); ``echoes`` are path ids the answer repeats; ``doc`` is
    the handler's docstring (the operation's description).
    """
    ids = PATH_IDS.findall(path)

    def handler(ctx: RequestContext, data: msgspec.Struct | None = None, **path: Any) -> Written:
        sent = given(ctx, data, path) if given else arguments(data) if data is not None else {}
        for field, parameter in (renamed or {}).items():
            sent[parameter] = sent.pop(field)
        done = run(command, ctx, **path, **sent, **fixed)
        outcome = {reports: done[1]} if reports else {}
        return written(done, **outcome, **{echo: path[echo] for echo in echoes})

    parameters = [Parameter("ctx", Parameter.KEYWORD_ONLY, annotation=Ctx)]
    parameters += [Parameter(i, Parameter.KEYWORD_ONLY, annotation=FromPath[UUID]) for i in ids]
    if body is not None:
        sent_as = JSONBody[body]  # type: ignore[valid-type]  # a type chosen at run time: the row's body Struct
        parameters.append(Parameter("data", Parameter.KEYWORD_ONLY, annotation=sent_as))
    # Litestar reads a handler's parameters from its signature and their types from its
    # annotations: both are set to what the hand-written handler declared.
    handler.__signature__ = Signature(parameters, return_annotation=Written)  # type: ignore[attr-defined]  # not declared on functions; Litestar reads it via inspect.signature
    handler.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": Written}
    handler.__name__ = handler.__qualname__ = name or command.__name__
    handler.__doc__ = doc
    return post(path, sync_to_thread=True, summary=summary)(handler)
