"""The 12345 hotline connector: work orders (派单) the city's hotline platform pushes in become
tickets, its urges (督办), callbacks (回访) and cancellations act on them, and what happens to a
ticket goes back to the platform (签收, 退单, 延期, 办结) through the outbox. The contract is
docs/hotline.md; ``hotline.reference`` is a stand-in platform to develop and test against (it
imports nothing of Django, so this module does not either)."""
