package io.beckon.engine.condition;

import java.util.List;
import java.util.function.Function;

/**
 * A marketer's condition: a comparison, or an all/any/not group. {@code lookup} returns an
 * attribute's value in the value model, or null when it is missing.
 */
public sealed interface Condition {

  boolean test(Function<String, Object> lookup);

  /** {@code {attribute, op, value}}. */
  record Compare(String attribute, Op op, Object value) implements Condition {
    @Override
    public boolean test(Function<String, Object> lookup) {
      return Comparisons.holds(lookup.apply(attribute), op, value);
    }
  }

  /** {@code all: [...]}; empty is true. */
  record All(List<Condition> conditions) implements Condition {
    @Override
    public boolean test(Function<String, Object> lookup) {
      return conditions.stream().allMatch(c -> c.test(lookup));
    }
  }

  /** {@code any: [...]}; empty is false. */
  record Any(List<Condition> conditions) implements Condition {
    @Override
    public boolean test(Function<String, Object> lookup) {
      return conditions.stream().anyMatch(c -> c.test(lookup));
    }
  }

  /** {@code not: {...}}. */
  record Not(Condition condition) implements Condition {
    @Override
    public boolean test(Function<String, Object> lookup) {
      return !condition.test(lookup);
    }
  }
}
