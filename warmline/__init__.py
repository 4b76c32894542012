"""The domain (plain Python over a session, the live line, Jobs and Gateway ports), its adapters
(dashboard, console, web, telephony, health, simulator) and the composition (app, cli, composition).

The domain imports only config and itself; the layers are pyproject.toml's import contracts.
"""
