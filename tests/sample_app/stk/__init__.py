"""stk sample application: the stk conventions, small enough to read in one sitting."""
