"""What STK202 (`stk_lint.rules.missing_await`) knows about awaitables: its scopes
(`scopes`), annotations read as written (`annotations`), and value inference and callee
resolution (`inference`). Below the rule API: these modules never import a rule.
"""
