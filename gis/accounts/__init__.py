"""Accounts: users, their roles and district scope, passwords, personal API tokens and the
record of every change to them."""
