"""What stk-lint knows about the coroutines of stk's stack without reading any library.

Checked against the sources of SQLAlchemy 2.x (`sqlalchemy/ext/asyncio/session.py`) and
Quart (`quart/wrappers/request.py`, `websocket.py`, `templating.py`, `helpers.py`). When
a library is installed, STK202 reads its source instead and these tables are the
fallback; the proxies (`request`, `websocket`) cannot be followed statically, so their
members are looked up in the classes behind them (`QUART_PROXY_CLASSES`), and the
receiver tables answer for members the installed Quart does not define.
"""

import re

# AsyncSession's coroutine methods, as defined in sqlalchemy/ext/asyncio/session.py
# (2.0/2.1). Used when SQLAlchemy itself cannot be read; `add`, `add_all`, `expunge`,
# `expire`, `begin`, `begin_nested`, `in_transaction`, `is_modified` ... are plain methods.
SESSION_COROUTINES = frozenset(
    {
        "refresh",
        "run_sync",
        "execute",
        "scalar",
        "scalars",
        "get",
        "get_one",
        "stream",
        "stream_scalars",
        "delete",
        "delete_all",
        "merge",
        "merge_all",
        "flush",
        "connection",
        "rollback",
        "commit",
        "close",
        "reset",
        "aclose",
        "invalidate",
        "close_all",
    }
)
# What `await session.stream(...)` and `await session.stream_scalars(...)` give: results
# whose fetching methods are coroutines (sqlalchemy/ext/asyncio/result.py).
STREAM_RESULTS = {
    "stream": "sqlalchemy.ext.asyncio.AsyncResult",
    "stream_scalars": "sqlalchemy.ext.asyncio.AsyncScalarResult",
}
_STREAM_RESULT_COROUTINES = {
    "sqlalchemy.ext.asyncio.AsyncResult": (
        "all fetchall fetchone fetchmany first one one_or_none scalar scalar_one "
        "scalar_one_or_none freeze close"
    ),
    "sqlalchemy.ext.asyncio.AsyncScalarResult": (
        "all fetchall fetchmany first one one_or_none close"
    ),
}
# quart.wrappers.Request: `async def` properties (awaited, never called) and coroutine methods.
# `args`, `headers`, `method`, `cookies`, `path` ... are plain attributes.
REQUEST_PROPERTIES = frozenset({"json", "form", "files", "data", "values", "body"})
REQUEST_COROUTINES = frozenset({"get_json", "get_data", "send_push_promise", "close"})
WEBSOCKET_COROUTINES = frozenset(
    {"receive", "send", "receive_json", "send_json", "accept", "close"}
)
# The classes behind the proxies: where an installed Quart defines a member, its
# definition decides instead of the tables above.
QUART_PROXY_CLASSES = {
    "request": "quart.wrappers.request.Request",
    "websocket": "quart.wrappers.websocket.Websocket",
}
# Fallback when the library that defines them is not installed where stk-lint runs.
KNOWN_COROUTINES = {
    name: "built-in table"
    for name in (
        "quart.render_template",
        "quart.render_template_string",
        "quart.stream_template",
        "quart.stream_template_string",
        "quart.make_response",
        "quart.make_push_promise",
        "quart.send_file",
        "quart.send_from_directory",
        "quart.flash",
        "quart.templating.render_template",
        "quart.templating.render_template_string",
        "quart.helpers.make_response",
        "quart.helpers.send_file",
        "quart.helpers.send_from_directory",
        "quart.helpers.flash",
        "quart_security.hash_password_async",
        "quart_security.verify_password_async",
        "stk.tasks.run_in_background",
        "stk.tasks.run_with_session",
        "stk.user.models.Activity.register",
        # `(await request.files)["photo"].save(path)` (quart/datastructures.py)
        "quart.datastructures.FileStorage.save",
        # aiofiles' file objects: their methods are made by a decorator
        # (`delegate_to_executor`), so no `async def` shows them.
        *(
            f"aiofiles.threadpool.text.AsyncTextIOWrapper.{method}"
            for method in [
                "close",
                "flush",
                "isatty",
                "read",
                "readall",
                "read1",
                "readinto",
                "readline",
                "readlines",
                "seek",
                "seekable",
                "tell",
                "truncate",
                "writable",
                "write",
                "writelines",
            ]
        ),
        *(
            f"{result}.{method}"
            for result, methods in _STREAM_RESULT_COROUTINES.items()
            for method in methods.split()
        ),
    )
}
UPLOAD_SAVE = "quart.datastructures.FileStorage.save"
# `async with <callee>(...) as f`: the class of `f`, for libraries whose `__aenter__`
# says nothing (aiofiles.open gives a text or binary wrapper; their coroutine methods
# are the same).
ASYNC_WITH_TARGETS = {
    "aiofiles.open": "aiofiles.threadpool.text.AsyncTextIOWrapper",
    "aiofiles.threadpool.open": "aiofiles.threadpool.text.AsyncTextIOWrapper",
}
# Functions that take a value and use it as one: a coroutine passed to them is a bug.
VALUE_TAKERS = frozenset(
    {
        "len",
        "list",
        "dict",
        "set",
        "tuple",
        "str",
        "int",
        "float",
        "bool",
        "sorted",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "iter",
        "next",
        "enumerate",
        "zip",
        "print",
        "repr",
        "isinstance",  # unless it asks for an awaitable class (`isinstance(x, Awaitable)`)
        "getattr",
        "hasattr",
        "vars",
        "json.dumps",
        "json.loads",
        "orjson.dumps",
        "orjson.loads",
        "quart.jsonify",
        "quart.Response",
        "quart.make_response",
        "quart.render_template",
        "quart.render_template_string",
        "quart.flash",
    }
)
# Methods of a coroutine object itself: calling them drives it by hand (`__await__`).
COROUTINE_API = frozenset({"__await__", "send", "throw", "close"})
# Logging calls format their arguments: a coroutine passed to them is a value use.
LOGGING_CALL = re.compile(
    r"^(log|logger|logging|_log|_logger|LOG|LOGGER)\.(debug|info|warning|error|exception|critical)$"
)
# Functions that take a coroutine and run it (the `coroutine-consumers` option's default).
DEFAULT_CONSUMERS = [
    "asyncio.gather",
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.wait_for",
    "asyncio.wait",
    "asyncio.shield",
    "asyncio.run",
    "asyncio.as_completed",
    "asyncio.run_coroutine_threadsafe",
    "create_task",
    "run_until_complete",
    "start_soon",
    "add_background_task",
    "run_in_background",
]
