"""Settings, the only reader of the environment, and the line's editable defaults (scripts).

Imports only the standard library and its own parsers; everything else may import it.
"""
