package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import java.util.List;

/**
 * What rules and journeys share at the top of their files (contract sections 3 and 7). {@code
 * triggerKind} is null when the trigger's kind is missing or unknown (templates are then not
 * checked against its variables); the other parts are null when wrong.
 */
record Header(
    String id,
    Long version,
    Boolean enabled,
    Long priority,
    String triggerKind,
    Trigger trigger,
    Condition audience,
    List<Rule.ExitOn> exitOn,
    Rule.Reentry reentry,
    Rule.Overrides policies) {}
