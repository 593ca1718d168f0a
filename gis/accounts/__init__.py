"""Accounts: users, their roles and district scope, passwords and personal API tokens."""
