from stk_lint.entry import main

main()
