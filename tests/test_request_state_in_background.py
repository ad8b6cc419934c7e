"""STK203: request state (`g`, `request`, `session`, `current_user`) in background work."""

from stk_lint.testing import lint

HEAD = (
    "from quart import current_app, g, request, session\n"
    "from quart_security import current_user\n"
    "from stk.tasks import run_in_background, run_with_session\n\n\n"
)


def found(body):
    return [(f.line, f.message.split("`")[1]) for f in lint(HEAD + body, select=["STK203"])]


def test_each_kind_of_request_state_is_reported_once_per_function_at_its_first_use():
    body = (
        "async def job(thing_id):\n"
        "    user = current_user.id\n"
        "    await g.db_session.get(Thing, thing_id)\n"
        "    await g.db_session.commit()\n"
        "    return request.args, session['cart'], user\n\n\n"
        "async def view():\n    await run_in_background(job(1))\n"
    )
    assert found(body) == [(7, "current_user"), (8, "g"), (10, "request"), (10, "session")]


def test_the_message_names_the_work_the_scheduler_and_the_fix():
    body = "async def job(db):\n    await g.db_session.commit()\n\n\nasync def view():\n    await run_with_session(job)\n"
    [finding] = lint(HEAD + body, select=["STK203"])
    assert "`g` in `job`, which runs in the background (`run_with_session`)" in finding.message
    assert "the session `run_with_session` passes" in finding.message


def test_add_background_task_and_work_defined_after_the_call():
    body = (
        "async def view():\n    current_app.add_background_task(audit, 1)\n\n\n"
        "async def audit(n):\n    print(request.remote_addr, n)\n"
    )
    assert found(body) == [(11, "request")]


def test_names_bound_in_the_work_are_its_own():
    body = (
        "async def job(g, *, request=None):\n"
        "    async with factory() as session:\n"
        "        for current_user in users:\n"
        "            await session.commit()\n"
        "    return g, request, current_user\n\n\n"
        "async def view():\n    await run_in_background(job(1))\n"
    )
    assert found(body) == []


def test_an_attribute_named_like_request_state_is_not_it():
    body = (
        "async def job(event):\n    return event.request, event.g.x, event.session\n\n\n"
        "async def view():\n    await run_in_background(job(e))\n"
    )
    assert found(body) == []


def test_what_cannot_be_followed_is_not_judged():
    body = (
        # defined twice: which one runs depends on the flow
        "async def job():\n    return g.x\n\n\nif flag:\n    async def job():\n        return 1\n\n\n"
        # a method, a lambda, a coroutine made elsewhere, imported work
        "async def view(self, coro):\n"
        "    await run_in_background(self.job())\n"
        "    await run_in_background(coro)\n"
        "    await run_with_session(lambda s: g.x)\n"
        "    await run_in_background(job())\n"
    )
    assert found(body) == []


def test_the_view_itself_may_use_request_state():
    body = (
        "async def job(user_id, search):\n    return user_id, search\n\n\n"
        "async def view():\n"
        "    await run_in_background(job(current_user.id, request.args.get('q')))\n"
        "    return g.user\n"
    )
    assert found(body) == []


def test_nested_work_and_module_imports():
    source = (
        "import quart\nfrom stk.tasks import run_in_background\n\n\n"
        "async def view():\n"
        "    async def job():\n        return quart.g.db_session\n\n"
        "    await run_in_background(job())\n"
    )
    assert [f.line for f in lint(source, select=["STK203"])] == [7]
