"""Competition and accountability: scorecards (比速度、比质量、比创新), rankings, 红黑榜 and the
accountability ladder. The rules live in pure modules (``scoring``, ``accountability``,
``honour_roll``, ``codec``) with plain dataclasses in and out, so they are tested without a
database; ``metrics`` reads the stored data into data points, ``services`` keeps schemes,
score runs, objections and commendations, ``selectors`` reads them back scoped to the user.
"""
