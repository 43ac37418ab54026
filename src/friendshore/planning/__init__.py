"""The coalition planner: co-investment, offtake and stockpiles that cut coercive dependency at least
cost, as an LP/MILP solved by HiGHS (docs/methods/planner.md)."""
