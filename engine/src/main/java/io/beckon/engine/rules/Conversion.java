package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;

/**
 * What counts as a conversion of a rule's fire: the first event of this type (whose properties
 * satisfy {@code where}, when given) later than the fire and at most {@code within} after it.
 */
public record Conversion(String event, Condition where, long within) {}
