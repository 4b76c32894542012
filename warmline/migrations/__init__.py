"""Alembic's migrations, which own the schema; run by `warmline db upgrade`.

Imports Alembic, SQLAlchemy and the models only, and nothing imports it.
"""
