"""Kvitt's composition root: settings, the ``kvitt`` command line, wiring of the front ends.

Only this package puts the pieces together; ``domain`` never imports from it.
"""
