"""The platform's audit trail for changes that have no trail of their own (docs/adr/0009-audit-trail.md).

Census values, workflow steps and task events keep their own detailed history (``CensusChange``,
``CensusEvent``, ``TaskEvent``). Everything else an action changes — the organisation tree, schools'
register, accounts and role grants, settings of a survey, excluded answers, lock-outs lifted — writes
one :class:`~dudao.audit.models.AuditEvent` through ``dudao.audit.record.record_event``, inside the action's
transaction, naming who (a person or the system), what, on which object, in which unit, and why.
"""
