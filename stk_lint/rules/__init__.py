"""The rules, one module each. The list of them is `stk_lint.registry`: importing one
rule module must not import every other (the template checker imports `rules.builtin`)."""
