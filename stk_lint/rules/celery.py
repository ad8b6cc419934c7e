from __future__ import annotations

import libcst as cst

from stk_lint.python_engine import dotted_name, module_name
from stk_lint.rule import PythonRule

TASK_CALLS = frozenset({"delay", "apply_async"})
TASK_DECORATORS = frozenset({"task", "shared_task"})
ADVICE = "stk runs background work with `await stk.tasks.run_in_background(coro)`"


def _is_task_decorator(decorator: cst.Decorator) -> bool:
    target = decorator.decorator
    if isinstance(target, cst.Call):
        target = target.func
    name = dotted_name(target)
    return name is not None and name.rsplit(".", 1)[-1] in TASK_DECORATORS


class Celery(PythonRule):
    code = "STK102"
    name = "celery"
    requires = ("celery", "delay", "apply_async")
    summary = "Uses Celery: imports it or queues a task with `.delay()` / `.apply_async()`."
    why = (
        "stk has no Celery worker or broker. Background work is an ordinary coroutine handed "
        "to `stk.tasks.run_in_background()` (or `run_with_session()` when it needs its own "
        "database session); it runs on the same event loop, with no broker to deploy."
    )
    bad = (
        "from celery import shared_task\n"
        "\n"
        "\n"
        "@shared_task\n"
        "def send_welcome(user_id):\n"
        "    ...\n"
        "\n"
        "\n"
        "async def register(user):\n"
        "    send_welcome.delay(user.id)\n"
    )
    good = (
        "from stk.tasks import run_in_background\n"
        "\n"
        "\n"
        "async def send_welcome(user_id):\n"
        "    ...\n"
        "\n"
        "\n"
        "async def register(user):\n"
        "    await run_in_background(send_welcome(user.id))\n"
    )
    limits = (
        "`.delay()`/`.apply_async()` are flagged only on names imported into the module or "
        "defined there as tasks (or anywhere in a module that imports celery), so "
        "`pool.apply_async(f)` on a local multiprocessing pool and `self.delay()` stay legal."
    )
    valid = (
        "from multiprocessing import Pool\n\n"
        "def work(items):\n    pool = Pool()\n    return pool.apply_async(sum, (items,))\n",
        "class Timer:\n    def delay(self, s):\n        return s\n\n"
        "    def run(self):\n        return self.delay(3)\n",
        "async def handler(animation):\n    animation.delay(5)\n",
    )
    invalid = (
        "import celery\n",
        "from celery.schedules import crontab\n",
        "from .tasks import send_email\n\nasync def view():\n    send_email.delay('x')\n",
        "from app import tasks\n\nasync def view():\n    tasks.send_email.apply_async(args=[1])\n",
    )

    def __init__(self, context) -> None:
        super().__init__(context)
        self.imports_celery = False
        self.task_names: set[str] = set()
        self.pending: list[tuple[cst.Call, str, cst.CSTNode | None]] = []

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if module_name(alias.name).split(".")[0] == "celery":
                self.imports_celery = True
                self.report(alias, f"Celery import; {ADVICE}")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not node.relative and module_name(node.module).split(".")[0] == "celery":
            self.imports_celery = True
            self.report(node.module, f"Celery import; {ADVICE}")

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if any(_is_task_decorator(d) for d in node.decorators):
            self.task_names.add(node.name.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in TASK_CALLS:
            receiver = dotted_name(func.value)
            if receiver is not None:
                self.pending.append((node, receiver, self.context.statement))

    def leave_Module(self, node: cst.Module) -> None:
        for call, receiver, statement in self.pending:
            head = receiver.split(".", 1)[0]
            if self.imports_celery or head in self.context.imports or receiver in self.task_names:
                method = call.func.attr.value  # type: ignore[attr-defined]
                self.report(
                    call, f"`{receiver}.{method}()` queues a Celery task; {ADVICE}", None, statement
                )
