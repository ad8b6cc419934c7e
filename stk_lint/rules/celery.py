from __future__ import annotations

import libcst as cst

from stk_lint.project import ProjectIndex
from stk_lint.python_rule import PythonRule, dotted_name, module_name
from stk_lint.summaries import ModuleEntry, absolute_import

TASK_CALLS = frozenset({"delay", "apply_async"})
TASK_DECORATORS = frozenset({"task", "shared_task"})
# Names a module binds its Celery app to when it imports it from another module.
CELERY_APP_NAMES = frozenset({"celery", "celery_app"})
ADVICE = "stk runs background work with `await stk.tasks.run_in_background(coro)`"


def _is_task_decorator(decorator: cst.Decorator) -> bool:
    target = decorator.decorator
    if isinstance(target, cst.Call):
        target = target.func
    name = dotted_name(target)
    return name is not None and name.rsplit(".", 1)[-1] in TASK_DECORATORS


def _uses_celery(summary: dict) -> bool:
    """A module that imports celery, or the project's Celery app under its usual names."""
    imports: dict[str, str] = summary["imports"]
    return any(name in CELERY_APP_NAMES for name in imports) or any(
        target == "celery" or target.startswith("celery.") for target in imports.values()
    )


def _defining_module(project: ProjectIndex, qualified: str) -> ModuleEntry | None:
    """The project module holding `app.tasks.send_mail` (known once it was resolved)."""
    parts = qualified.split(".")
    for end in range(len(parts) - 1, 0, -1):
        entry = project.modules.get(".".join(parts[:end]))
        if entry is not None:
            return entry
    return None


class Celery(PythonRule):
    code = "STK102"
    name = "celery"
    needs_project = True  # tasks imported from the project's modules
    requires = ("celery", "delay", "apply_async")
    summary = "Uses Celery: imports it or queues a task with `.delay()` / `.apply_async()`."
    why = (
        "stk has no Celery worker or broker. Background work is an ordinary coroutine handed "
        "to `stk.tasks.run_in_background()` (or `run_with_session()` when it needs its own "
        "database session); it runs on the same event loop, with no broker to deploy."
    )
    bad = """\
        from celery import shared_task


        @shared_task
        def send_welcome(user_id):
            ...


        async def register(user):
            send_welcome.delay(user.id)
        """
    good = """\
        from stk.tasks import run_in_background


        async def send_welcome(user_id):
            ...


        async def register(user):
            await run_in_background(send_welcome(user.id))
        """
    limits = (
        "`.delay()`/`.apply_async()` are flagged anywhere in a module that imports celery; "
        "elsewhere only on a function of the module decorated as a task (`@app.task`, "
        "`@shared_task`, `@celery.task`, `@celery_app.task`), or on a function imported from "
        "a project module that imports celery or the project's `celery`/`celery_app`. So "
        "`pool.apply_async(f)` on a multiprocessing pool, `config.delay(5)` and "
        "`self.delay()` stay legal. A task imported from a module whose Celery app has "
        "another name is not recognised (that module's own celery import is still reported)."
    )
    valid = (
        """\
            from multiprocessing import Pool

            def work(items):
                pool = Pool()
                return pool.apply_async(sum, (items,))
            """,
        """\
            class Timer:
                def delay(self, s):
                    return s

                def run(self):
                    return self.delay(3)
            """,
        "async def handler(animation):\n    animation.delay(5)\n",
        "import config\n\nasync def view():\n    config.delay(5)\n",
        "from app.workers import pool\n\nasync def view():\n    pool.apply_async(sum, ([1],))\n",
    )
    invalid = (
        "import celery\n",
        "from celery.schedules import crontab\n",
        """\
            from app.extensions import celery_app


            @celery_app.task
            def send_email(to):
                ...


            async def view():
                send_email.delay('x')
            """,
        """\
            from app.compat import shared_task


            @shared_task(bind=True)
            def refresh(self):
                ...


            async def view():
                refresh.apply_async(countdown=5)
            """,
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
        if (
            node.module is not None
            and not node.relative
            and module_name(node.module).split(".")[0] == "celery"
        ):
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
            if self._is_task(receiver):
                method = call.func.attr.value  # type: ignore[attr-defined]
                self.report(
                    call, f"`{receiver}.{method}()` queues a Celery task; {ADVICE}", None, statement
                )

    def _is_task(self, receiver: str) -> bool:
        return self.imports_celery or receiver in self.task_names or self._imported_task(receiver)

    def _imported_task(self, receiver: str) -> bool:
        """`send_mail` from `from .tasks import send_mail`: a function of a project module
        that uses Celery (a plain function has no `.delay`)."""
        project = self.context.project
        head, dot, rest = receiver.partition(".")
        imported = self.context.imports.get(head)
        if imported is None or not isinstance(project, ProjectIndex):
            return False
        entry = project.module_of(self.context.path)
        if entry is not None:
            module, is_package = entry.summary["module"], entry.summary["package"]
        else:
            module, is_package = project.place(self.context.path)
        target = project.resolve(absolute_import(imported, module, is_package) + dot + rest)
        if target is None or target.kind != "function" or target.origin != "project":
            return False
        defining = _defining_module(project, target.qualified)
        return defining is not None and _uses_celery(defining.summary)
