"""Cost control: tokens and prices on every exchange, budgets, rate limits and spend reports.

Kept import-light: the configuration schema imports `interlock.budget.config` from here.
"""
