"""Planning for population change (规划测算, issue #14): births and known changes in a county's towns,
the enrolment forecast with its back-test, seats and teachers under the forecast (学位预警), projected
compliance, and the cheapest plan to compliance. The arithmetic is pure (``dudao.engine.forecast``,
``dudao.engine.seats``, ``dudao.engine.optimise``); this app stores the inputs and shows the results."""
