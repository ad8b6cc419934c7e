"""Things: the CRUD example every stk page is modelled on."""
