from stk_lint.cli import main

main()
